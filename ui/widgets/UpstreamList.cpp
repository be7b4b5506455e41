#include "UpstreamList.h"

#include "ConsolePalette.h"

#include <QLabel>
#include <QListWidget>
#include <QVBoxLayout>

UpstreamList::UpstreamList(QWidget *parent)
    : CardFrame(parent)
    , m_hint(new QLabel(this))
    , m_list(new QListWidget(this))
{
    setObjectName(QStringLiteral("upstreamPanel"));
    auto *title = new QLabel(tr("Upstreams"), this);
    ConsolePalette::scaleFont(title, 1.05, QFont::DemiBold);
    m_hint->setObjectName(QStringLiteral("upstreamHint"));
    m_hint->setWordWrap(true);
    ConsolePalette::scaleFont(m_hint, 0.9, QFont::Normal);
    ConsolePalette::makeMuted(m_hint);

    m_list->setObjectName(QStringLiteral("upstreamList"));
    m_list->setFrameShape(QFrame::NoFrame);
    m_list->setSelectionMode(QAbstractItemView::NoSelection);
    m_list->setFocusPolicy(Qt::NoFocus);
    m_list->setSpacing(2);
    m_list->viewport()->setAutoFillBackground(false);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(padding());
    layout->setSpacing(4);
    layout->addWidget(title);
    layout->addWidget(m_hint);
    layout->addSpacing(4);
    layout->addWidget(m_list, 1);

    setUpstreams({}, false);
}

void UpstreamList::setUpstreams(const QStringList &names, bool simulatorOnly)
{
    if (m_initialised && names == m_names && simulatorOnly == m_simulatorOnly)
        return;
    m_initialised = true;
    m_names = names;
    m_simulatorOnly = simulatorOnly;

    m_list->clear();
    if (simulatorOnly && names.isEmpty()) {
        m_hint->setText(tr("Every model is answered locally."));
        auto *item = new QListWidgetItem(tr("Built-in simulator"), m_list);
        QFont font = item->font();
        font.setItalic(true);
        item->setFont(font);
        return;
    }
    if (names.isEmpty()) {
        m_hint->setText(tr("None reported yet."));
        return;
    }
    m_hint->setText(tr("In routing order."));
    for (qsizetype i = 0; i < names.size(); ++i) {
        auto *item = new QListWidgetItem(names.at(i), m_list);
        item->setToolTip(tr("Routing position %1").arg(i + 1));
    }
}
