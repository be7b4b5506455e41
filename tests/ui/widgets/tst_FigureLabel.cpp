// FigureLabel: a figure that changes does not make the layouts above it lay out again (the reason
// it exists: a counter's new text re-laid out the whole Overview four times a second); a figure
// that needs more room grows the label, which then never shrinks, and always shows its whole text.
#include "widgets/FigureLabel.h"

#include <QEvent>
#include <QVBoxLayout>
#include <QtTest>

namespace {
// Counts the layout requests a widget receives.
class LayoutRequests : public QObject
{
public:
    explicit LayoutRequests(QWidget *watched) { watched->installEventFilter(this); }
    int count = 0;

protected:
    bool eventFilter(QObject *, QEvent *event) override
    {
        count += event->type() == QEvent::LayoutRequest;
        return false;
    }
};
} // namespace

class tst_FigureLabel : public QObject
{
    Q_OBJECT
private slots:
    void aChangingFigureLeavesTheLayoutAlone()
    {
        QWidget page;
        auto *layout = new QVBoxLayout(&page);
        auto *figure = new FigureLabel(QStringLiteral("1,000 requests"), &page);
        layout->addWidget(figure);
        layout->addWidget(new QLabel(QStringLiteral("a neighbour"), &page));
        page.show();
        QVERIFY(QTest::qWaitForWindowExposed(&page));
        QCoreApplication::processEvents();
        LayoutRequests requests(&page);

        // Same width or narrower: nothing above the label hears of it.
        for (const char *text : {"1,001 requests", "1,002 requests", "999 requests", "1,003 requests"}) {
            figure->setFigure(QString::fromLatin1(text));
            QCoreApplication::processEvents();
            QCOMPARE(figure->text(), QString::fromLatin1(text));
        }
        QCOMPARE(requests.count, 0);
        // The plain QLabel it replaces makes the page lay out again for the same change.
        auto *plain = page.findChildren<QLabel *>().last();
        plain->setText(QStringLiteral("a neighbour, again"));
        QCoreApplication::processEvents();
        QCOMPARE(requests.count, 1);
    }

    void aWiderFigureGrowsTheLabelWhichNeverShrinks()
    {
        QWidget page;
        auto *layout = new QVBoxLayout(&page);
        auto *figure = new FigureLabel(QStringLiteral("9 requests"), &page);
        layout->addWidget(figure);
        layout->addStretch(1);
        page.show();
        QVERIFY(QTest::qWaitForWindowExposed(&page));
        const int narrow = figure->width();
        QVERIFY(narrow >= figure->sizeHint().width());

        figure->setFigure(QStringLiteral("1,234,567 requests · 42 not shown"));
        QCoreApplication::processEvents();
        const int wide = figure->width();
        QVERIFY2(wide > narrow, qPrintable(QStringLiteral("%1 <= %2").arg(wide).arg(narrow)));
        QVERIFY(wide >= figure->sizeHint().width()); // the whole text shows
        QCOMPARE(figure->minimumWidth(), figure->maximumWidth());

        figure->setFigure(QStringLiteral("9 requests"));
        QCoreApplication::processEvents();
        QCOMPARE(figure->width(), wide); // no jitter when the figure goes back

        // A new font measures again from the text it has, and may shrink.
        QFont big = figure->font();
        big.setPointSizeF(big.pointSizeF() * 3);
        figure->setFont(big);
        QCoreApplication::processEvents();
        QVERIFY(figure->width() >= figure->sizeHint().width());
        QCOMPARE(figure->height(), figure->sizeHint().height());
    }
};

QTEST_MAIN(tst_FigureLabel)
#include "tst_FigureLabel.moc"
