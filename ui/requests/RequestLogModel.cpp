#include "RequestLogModel.h"

#include "ConsoleFormat.h"
#include "ConsolePalette.h"

#include <QDateTime>
#include <QFont>
#include <QGuiApplication>
#include <QPalette>

#include <algorithm>

RequestLogModel::RequestLogModel(QObject *parent, int capacity)
    : QAbstractTableModel(parent)
    , m_capacity(qMax(1, capacity))
{
    m_ring.reserve(m_capacity);
}

void RequestLogModel::append(const QList<UsageRecord> &rows)
{
    QList<UsageRecord> fresh;
    fresh.reserve(rows.size());
    QSet<QString> batch;
    for (const UsageRecord &r : rows) {
        if (m_seqOf.contains(r.id) || (!r.id.isEmpty() && batch.contains(r.id)))
            continue;
        batch.insert(r.id);
        fresh.append(r);
    }
    if (fresh.size() > m_capacity)
        fresh.remove(0, fresh.size() - m_capacity); // the latest of a huge batch only
    if (fresh.isEmpty())
        return;

    // Room first: the oldest rows (at the bottom) leave in one batch.
    const int overflow = int(m_ring.size() + fresh.size()) - m_capacity;
    if (overflow > 0) {
        const int rows = int(m_ring.size());
        beginRemoveRows({}, rows - overflow, rows - 1);
        for (int i = 0; i < overflow; ++i) {
            count(m_ring.at(i), -1);
            m_seqOf.remove(m_ring.at(i).id);
        }
        m_ring.remove(0, overflow);
        m_dropped += overflow;
        endRemoveRows();
    }
    // The newest row is row 0, so a batch (oldest first) goes in reversed at the top.
    beginInsertRows({}, 0, int(fresh.size()) - 1);
    for (UsageRecord &r : fresh) {
        count(r, +1);
        m_seqOf.insert(r.id, m_dropped + m_ring.size());
        m_ring.append(std::move(r));
    }
    endInsertRows();
}

void RequestLogModel::setCurrency(const QString &currencyCode)
{
    if (currencyCode == m_currency)
        return;
    m_currency = currencyCode;
    if (!m_ring.isEmpty())
        Q_EMIT dataChanged(index(0, Cost), index(rowCount() - 1, Cost), {Qt::DisplayRole});
}

int RequestLogModel::rowOf(const QString &id) const
{
    const auto it = m_seqOf.constFind(id);
    if (it == m_seqOf.cend())
        return -1;
    return int(m_ring.size() - 1 - (it.value() - m_dropped));
}

void RequestLogModel::count(const UsageRecord &r, int delta)
{
    for (auto [map, key] : {std::pair{&m_models, &r.model}, std::pair{&m_sessions, &r.session}, std::pair{&m_endpoints, &r.endpoint}}) {
        if (key->isEmpty())
            continue;
        int &n = (*map)[*key];
        n += delta;
        if (n <= 0)
            map->remove(*key);
    }
}

QStringList RequestLogModel::distinct(const QHash<QString, int> &counts)
{
    QStringList keys = counts.keys();
    std::sort(keys.begin(), keys.end(), [](const QString &a, const QString &b) { return a.compare(b, Qt::CaseInsensitive) < 0; });
    return keys;
}

RequestLogModel::StatusClass RequestLogModel::statusClass(const UsageRecord &r)
{
    // Codex gets its refusals as 400 (docs/agents.md), so the error kind decides before the status.
    if (r.status == 402 || r.status == 429 || r.status == 403 || r.error == QLatin1String("budget_exceeded")
        || r.error == QLatin1String("rate_limited") || r.error == QLatin1String("session_blocked"))
        return StatusClass::Refused;
    if (r.status >= 500 || r.error.startsWith(QLatin1String("upstream_")))
        return StatusClass::UpstreamError;
    if (r.status >= 400 || !r.error.isEmpty() || r.status == 0)
        return StatusClass::OtherError;
    return StatusClass::Ok;
}

QColor RequestLogModel::statusColor(const UsageRecord &r)
{
    switch (statusClass(r)) {
    case StatusClass::Refused: return r.status == 403 || r.error == QLatin1String("session_blocked") ? ConsolePalette::stopped() : ConsolePalette::pending();
    case StatusClass::UpstreamError: return ConsolePalette::failure();
    case StatusClass::OtherError: return ConsolePalette::failure();
    case StatusClass::Ok: break;
    }
    return {};
}

int RequestLogModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_ring.size());
}

int RequestLogModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant RequestLogModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const UsageRecord &r = recordAt(index.row());
    switch (role) {
    case Qt::DisplayRole: return display(r, index.column());
    case SortRole: return sortKey(r, index.column());
    case IdRole: return r.id;
    case StatusRole: return r.status;
    case StatusClassRole: return int(statusClass(r));
    case ModelRole: return r.model;
    case SessionRole: return r.session;
    case TenantRole: return r.tenant;
    case EndpointRole: return r.endpoint;
    case SearchRole:
        return QStringList{r.id, r.model, r.session, r.tenant, r.endpoint, r.upstream, r.error, QString::number(r.status)}
            .join(QLatin1Char('\n'))
            .toLower();
    case Qt::ForegroundRole:
        if (index.column() == Status) {
            const QColor c = statusColor(r);
            if (c.isValid()) // lightened on a dark palette, so it reads on the table's base colour
                return ConsolePalette::readableOn(c, QGuiApplication::palette().color(QPalette::Base));
        }
        return {};
    case Qt::FontRole:
        if (index.column() == Status && statusClass(r) != StatusClass::Ok) {
            QFont bold;
            bold.setWeight(QFont::DemiBold);
            return bold;
        }
        return {};
    case Qt::TextAlignmentRole:
        if (index.column() == Status)
            return int(Qt::AlignCenter);
        if (index.column() >= TokensIn)
            return int(Qt::AlignRight | Qt::AlignVCenter);
        return int(Qt::AlignLeft | Qt::AlignVCenter);
    case Qt::ToolTipRole:
        if (index.column() == Status && !r.error.isEmpty())
            return r.error;
        if (index.column() == Cost && r.estimated)
            return tr("Tokens estimated by TokenFuse: the upstream reported no usage");
        return {};
    default: return {};
    }
}

QVariant RequestLogModel::display(const UsageRecord &r, int column) const
{
    switch (column) {
    case Time: return ConsoleFormat::clockTime(r.endedAt > 0 ? r.endedAt : r.startedAt, QDateTime::currentMSecsSinceEpoch());
    case Status: return r.status > 0 ? QString::number(r.status) : tr("—");
    case Model: return r.model;
    case Session: return r.session;
    case Tenant: return r.tenant;
    case Endpoint: return r.endpoint;
    case TokensIn: return ConsoleFormat::tokens(r.promptTokens);
    case TokensOut: return ConsoleFormat::tokens(r.completionTokens);
    case Cost: return ConsoleFormat::money(r.costMicros, r.currency.isEmpty() ? m_currency : r.currency) + (r.estimated ? QStringLiteral(" ~") : QString());
    case Latency: return ConsoleFormat::duration(r.latencyMs);
    case Ttft: return ConsoleFormat::duration(r.ttftMs);
    default: return {};
    }
}

QVariant RequestLogModel::sortKey(const UsageRecord &r, int column) const
{
    switch (column) {
    case Time: return r.endedAt > 0 ? r.endedAt : r.startedAt;
    case Status: return r.status;
    case Model: return r.model.toLower();
    case Session: return r.session.toLower();
    case Tenant: return r.tenant.toLower();
    case Endpoint: return r.endpoint.toLower();
    case TokensIn: return r.promptTokens;
    case TokensOut: return r.completionTokens;
    case Cost: return r.costMicros;
    case Latency: return r.latencyMs;
    case Ttft: return r.ttftMs;
    default: return {};
    }
}

QVariant RequestLogModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal)
        return {};
    if (role == Qt::TextAlignmentRole)
        return section == Status ? int(Qt::AlignCenter) : int((section >= TokensIn ? Qt::AlignRight : Qt::AlignLeft) | Qt::AlignVCenter);
    if (role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Time: return tr("Time");
    case Status: return tr("Status");
    case Model: return tr("Model");
    case Session: return tr("Session");
    case Tenant: return tr("Tenant");
    case Endpoint: return tr("Endpoint");
    case TokensIn: return tr("In");
    case TokensOut: return tr("Out");
    case Cost: return tr("Cost");
    case Latency: return tr("Latency");
    case Ttft: return tr("TTFT");
    default: return {};
    }
}
