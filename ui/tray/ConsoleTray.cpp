#include "ConsoleTray.h"

#include "ConsoleFormat.h"
#include "ConsolePalette.h"

#include <QAction>
#include <QFont>
#include <QMenu>
#include <QPainter>
#include <QPixmap>
#include <QSystemTrayIcon>

ConsoleTray::ConsoleTray(QObject *parent) : QObject(parent), m_menu(new QMenu)
{
    m_menu->setObjectName(QStringLiteral("trayMenu"));
    QAction *show = m_menu->addAction(tr("Show TokenFuse"));
    connect(show, &QAction::triggered, this, &ConsoleTray::showConsoleRequested);
    m_stopAll = m_menu->addAction(tr("Stop all"));
    m_stopAll->setObjectName(QStringLiteral("trayStopAll"));
    // No question here: the tray is where a user reaches in a hurry, and Resume all undoes it.
    connect(m_stopAll, &QAction::triggered, this, [this] {
        Q_EMIT commandRequested(m_stoppedAll ? SessionCommand::resumeAll() : SessionCommand::stopAll());
    });
    m_menu->addSeparator();
    QAction *quit = m_menu->addAction(tr("Quit TokenFuse"));
    quit->setObjectName(QStringLiteral("trayQuit"));
    connect(quit, &QAction::triggered, this, &ConsoleTray::quitRequested);

    m_iconText = shortMoney(0, m_currency);
    m_icon = paintIcon(m_state, m_iconText);
    m_toolTip = tr("TokenFuse");
    if (QSystemTrayIcon::isSystemTrayAvailable()) {
        m_tray = new QSystemTrayIcon(m_icon, this);
        m_tray->setContextMenu(m_menu);
        m_tray->setToolTip(m_toolTip);
        connect(m_tray, &QSystemTrayIcon::activated, this, [this](QSystemTrayIcon::ActivationReason reason) {
            if (reason == QSystemTrayIcon::Trigger || reason == QSystemTrayIcon::DoubleClick)
                Q_EMIT showConsoleRequested();
        });
        m_tray->show();
    }
}

ConsoleTray::~ConsoleTray()
{
    delete m_menu; // a top-level widget, not a child of this QObject
}

bool ConsoleTray::isAvailable() const
{
    return m_tray != nullptr;
}

QString ConsoleTray::shortMoney(qint64 micros, const QString &currencyCode)
{
    const QString symbol = currencyCode == QLatin1String("USD") ? QStringLiteral("$")
                         : currencyCode == QLatin1String("EUR") ? QStringLiteral("€")
                         : currencyCode == QLatin1String("CNY") ? QStringLiteral("¥")
                         : currencyCode == QLatin1String("GBP") ? QStringLiteral("£")
                                                                : QString();
    const double units = double(micros) / 1e6;
    QString figure;
    if (units < 0.005)
        figure = QStringLiteral("0");
    else if (units < 10)
        figure = QString::number(units, 'f', units < 1 ? 2 : 1);
    else if (units < 1000)
        figure = QString::number(qRound(units));
    else if (units < 10000)
        figure = QString::number(units / 1000, 'f', 1) + QLatin1Char('k');
    else
        figure = QString::number(qRound(units / 1000)) + QLatin1Char('k');
    if (figure.startsWith(QLatin1String("0.")))
        figure.remove(0, 1); // "$.42": four characters fit the icon
    // Past a thousand the symbol gives way to the figure ("1.3k"); the tooltip has the rest.
    return units >= 1000 ? figure : symbol + figure;
}

QIcon ConsoleTray::paintIcon(State state, const QString &figure)
{
    const QColor fill = state == State::Alert ? ConsolePalette::failure()
                      : state == State::Warning ? ConsolePalette::pending()
                                                : ConsolePalette::success();
    QIcon icon;
    for (const int size : {16, 22, 32, 64}) {
        QPixmap pixmap(size, size);
        pixmap.fill(Qt::transparent);
        QPainter p(&pixmap);
        p.setRenderHint(QPainter::Antialiasing);
        p.setPen(Qt::NoPen);
        p.setBrush(fill);
        p.drawRoundedRect(QRectF(0, 0, size, size), size * 0.22, size * 0.22);
        QFont font;
        font.setBold(true);
        font.setPixelSize(qMax(7, int(size * (figure.size() <= 2 ? 0.52 : figure.size() == 3 ? 0.42 : 0.34))));
        p.setFont(font);
        p.setPen(qGray(fill.rgb()) > 160 ? QColor(Qt::black) : QColor(Qt::white));
        p.drawText(QRectF(0, 0, size, size), Qt::AlignCenter, figure);
        p.end();
        icon.addPixmap(pixmap);
    }
    return icon;
}

void ConsoleTray::applySnapshot(const GatewaySnapshot &s)
{
    m_stoppedAll = s.stoppedAll;
    m_stopAll->setText(s.stoppedAll ? tr("Resume all") : tr("Stop all"));
    const bool capClose = s.dayCapMicros > 0 && s.spentTodayMicros >= s.dayCapMicros * 8 / 10;
    const State state = (s.stoppedAll || s.sessionsTripped > 0 || s.sessionsKilled > 0 || (s.dayCapMicros >= 0 && s.spentTodayMicros >= s.dayCapMicros))
        ? State::Alert
        : capClose ? State::Warning : State::Normal;
    const QString figure = shortMoney(s.spentTodayMicros, m_currency);

    QStringList lines;
    lines << (s.dayCapMicros >= 0 ? tr("TokenFuse: %1 today of %2").arg(ConsoleFormat::money(s.spentTodayMicros, m_currency),
                                                                         ConsoleFormat::money(s.dayCapMicros, m_currency))
                                  : tr("TokenFuse: %1 today").arg(ConsoleFormat::money(s.spentTodayMicros, m_currency)));
    lines << tr("%n request(s) in flight", nullptr, s.inFlight);
    if (s.stoppedAll)
        lines << tr("Stop all is on: every request is refused");
    if (s.sessionsTripped > 0)
        lines << tr("%n session(s) tripped", nullptr, s.sessionsTripped);
    if (s.sessionsKilled > 0)
        lines << tr("%n session(s) killed", nullptr, s.sessionsKilled);
    m_toolTip = lines.join(QLatin1Char('\n'));

    if (state != m_state || figure != m_iconText) {
        m_state = state;
        m_iconText = figure;
        m_icon = paintIcon(state, figure);
        if (m_tray)
            m_tray->setIcon(m_icon);
    }
    if (m_tray)
        m_tray->setToolTip(m_toolTip);
}

void ConsoleTray::showMessage(const QString &title, const QString &text, bool critical)
{
    if (m_tray)
        m_tray->showMessage(title, text, critical ? QSystemTrayIcon::Critical : QSystemTrayIcon::Information, 10000);
}
