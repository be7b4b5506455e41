#include "UpstreamsModel.h"

#include "ConsoleFormat.h"
#include "upstreams/UpstreamText.h"

#include <QDateTime>

#include <utility>

namespace {

QString clock(qint64 ms)
{
    return ConsoleFormat::clockTime(ms, QDateTime::currentMSecsSinceEpoch());
}

QString millis(qint64 ms)
{
    return ms >= 0 ? ConsoleFormat::duration(ms) : QStringLiteral("—");
}

bool sameModelBreakers(const QList<UpstreamModelBreakerView> &a, const QList<UpstreamModelBreakerView> &b)
{
    if (a.size() != b.size())
        return false;
    for (int i = 0; i < a.size(); ++i)
        if (a[i].model != b[i].model || a[i].state != b[i].state || a[i].reason != b[i].reason || a[i].retryAtMs != b[i].retryAtMs)
            return false;
    return true;
}

// The smallest range of columns whose text, sort key or tooltip differ between two views of one
// upstream; {-1, -1} when nothing shown differs.
std::pair<int, int> changedColumns(const UpstreamView &a, const UpstreamView &b)
{
    using C = UpstreamsModel::Column;
    int first = C::ColumnCount;
    int last = -1;
    const auto mark = [&](bool differs, int column) {
        if (differs) {
            first = qMin(first, column);
            last = qMax(last, column);
        }
    };
    mark(a.preset != b.preset || a.dialect != b.dialect || a.baseUrl != b.baseUrl || a.models != b.models
             || a.priority != b.priority || a.weight != b.weight,
         C::Name);
    mark(a.breaker != b.breaker || a.breakerReason != b.breakerReason || a.breakerSinceMs != b.breakerSinceMs
             || a.retryAtMs != b.retryAtMs || !sameModelBreakers(a.modelBreakers, b.modelBreakers),
         C::Breaker);
    mark(a.errorRate != b.errorRate || a.requests != b.requests || a.failures != b.failures, C::ErrorRate);
    mark(a.latencyP50Ms != b.latencyP50Ms || a.latencyP99Ms != b.latencyP99Ms, C::Latency);
    mark(a.ttftP50Ms != b.ttftP50Ms, C::Ttft);
    mark(a.inFlight != b.inFlight || a.limit != b.limit || a.configuredLimit != b.configuredLimit, C::Load);
    mark(a.queued != b.queued || a.maxQueue != b.maxQueue, C::Queue);
    mark(a.keyHint != b.keyHint || a.keySource != b.keySource || a.keyMissing != b.keyMissing, C::Key);
    mark(a.enabled != b.enabled, C::Enabled);
    // Neither shown in a column nor in a tooltip, but the details pane reads them from the row.
    if (last < 0 && (a.lastProbe != b.lastProbe || a.lastProbeAtMs != b.lastProbeAtMs))
        mark(true, C::Name);
    return last < 0 ? std::pair{-1, -1} : std::pair{first, last};
}

QString keySourceText(const QString &source)
{
    if (source.startsWith(QLatin1String("env:")))
        return UpstreamsModel::tr("from $%1").arg(source.mid(4));
    if (source.startsWith(QLatin1String("secret-store")))
        return UpstreamsModel::tr("secret store");
    if (source == QLatin1String("config"))
        return UpstreamsModel::tr("config file");
    if (source == QLatin1String("file"))
        return UpstreamsModel::tr("key file");
    return source;
}

} // namespace

UpstreamsModel::UpstreamsModel(QObject *parent) : KeyedTableModel(parent)
{
}

void UpstreamsModel::setUpstreams(const QList<UpstreamView> &upstreams)
{
    merge(upstreams);
}

std::pair<int, int> UpstreamsModel::changedColumns(const UpstreamView &before, const UpstreamView &after) const
{
    return ::changedColumns(before, after);
}

int UpstreamsModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant UpstreamsModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const UpstreamView &u = m_rows.at(index.row());
    const int column = index.column();
    switch (role) {
    case Qt::DisplayRole: return display(u, column);
    case SortRole: return sortKey(u, column);
    case NameRole: return u.name;
    case BreakerStateRole: return u.breaker;
    case EnabledRole: return u.enabled;
    case Qt::ToolTipRole: return toolTip(u, column);
    case Qt::TextAlignmentRole:
        if (column == ErrorRate || column == Latency || column == Ttft || column == Load || column == Queue)
            return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
        if (column == Breaker)
            return QVariant::fromValue(Qt::AlignCenter);
        return QVariant::fromValue(Qt::AlignLeft | Qt::AlignVCenter);
    default: return {};
    }
}

QVariant UpstreamsModel::display(const UpstreamView &u, int column) const
{
    switch (column) {
    case Name: return u.preset.isEmpty() || u.preset == u.name ? u.name : tr("%1 (%2)").arg(u.name, u.preset);
    case Breaker: return UpstreamText::breakerLabel(u.breaker);
    case ErrorRate:
        return u.requests > 0 ? QStringLiteral("%1%").arg(u.errorRate * 100.0, 0, 'f', u.errorRate > 0 && u.errorRate < 0.1 ? 1 : 0)
                              : QStringLiteral("—");
    case Latency:
        return u.latencyP50Ms < 0 ? QStringLiteral("—") : tr("%1 / %2").arg(millis(u.latencyP50Ms), millis(u.latencyP99Ms));
    case Ttft: return millis(u.ttftP50Ms);
    case Load: return u.limit > 0 ? tr("%1 / %2").arg(u.inFlight).arg(u.limit) : ConsoleFormat::count(u.inFlight);
    case Queue: return u.maxQueue > 0 ? tr("%1 / %2").arg(u.queued).arg(u.maxQueue) : ConsoleFormat::count(u.queued);
    case Key:
        if (u.keyMissing)
            return tr("missing (%1)").arg(keySourceText(u.keySource));
        if (u.keyHint.isEmpty())
            return tr("none");
        return tr("%1 · %2").arg(u.keyHint, keySourceText(u.keySource));
    case Enabled: return u.enabled ? tr("Enabled") : tr("Disabled");
    default: return {};
    }
}

QVariant UpstreamsModel::sortKey(const UpstreamView &u, int column) const
{
    switch (column) {
    case Name: return u.name.toLower();
    case Breaker: return u.breaker == QLatin1String("open") ? 2 : u.breaker == QLatin1String("half_open") ? 1 : 0;
    case ErrorRate: return u.errorRate;
    case Latency: return u.latencyP50Ms;
    case Ttft: return u.ttftP50Ms;
    case Load: return u.inFlight;
    case Queue: return u.queued;
    case Key: return u.keyHint.toLower();
    case Enabled: return u.enabled;
    default: return {};
    }
}

QString UpstreamsModel::toolTip(const UpstreamView &u, int column) const
{
    switch (column) {
    case Name: {
        QString tip = tr("%1 · %2 dialect\n%3").arg(u.name, u.dialect, u.baseUrl);
        tip += QLatin1Char('\n') + tr("Models: %1").arg(u.models.isEmpty() ? tr("every model") : u.models.join(QStringLiteral(", ")));
        tip += QLatin1Char('\n') + tr("Priority %1, weight %2").arg(u.priority).arg(u.weight);
        return tip;
    }
    case Breaker: {
        QString tip = UpstreamText::breakerLabel(u.breaker);
        if (u.breakerSinceMs > 0)
            tip += tr(" since %1").arg(clock(u.breakerSinceMs));
        if (!u.breakerReason.isEmpty())
            tip += QLatin1Char('\n') + u.breakerReason;
        if (u.retryAtMs > 0)
            tip += QLatin1Char('\n') + tr("Next probe at %1").arg(clock(u.retryAtMs));
        for (const UpstreamModelBreakerView &m : u.modelBreakers)
            tip += QLatin1Char('\n') + tr("%1: %2 (%3)").arg(m.model, UpstreamText::breakerLabel(m.state), m.reason);
        return tip;
    }
    case ErrorRate: return tr("%1 failed of %2 in the last minute").arg(ConsoleFormat::count(u.failures), ConsoleFormat::count(u.requests));
    case Load:
        if (u.configuredLimit > 0 && u.limit != u.configuredLimit)
            return tr("In flight now; the limit is lowered from %1 while the upstream struggles").arg(u.configuredLimit);
        return tr("Requests in flight now, and the concurrency limit");
    case Key:
        if (u.keyMissing)
            return tr("A key is configured (%1) but could not be found").arg(u.keySource);
        return tr("Only the key's last characters are shown; the key itself never leaves the gateway");
    default: return {};
    }
}

QVariant UpstreamsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal)
        return {};
    if (role == Qt::DisplayRole) {
        switch (section) {
        case Name: return tr("Upstream");
        case Breaker: return tr("Breaker");
        case ErrorRate: return tr("Errors");
        case Latency: return tr("p50 / p99");
        case Ttft: return tr("TTFT p50");
        case Load: return tr("In flight");
        case Queue: return tr("Queue");
        case Key: return tr("Key");
        case Enabled: return tr("State");
        default: return {};
        }
    }
    if (role == Qt::TextAlignmentRole) {
        if (section == ErrorRate || section == Latency || section == Ttft || section == Load || section == Queue)
            return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
        return QVariant::fromValue(Qt::AlignLeft | Qt::AlignVCenter);
    }
    if (role == Qt::ToolTipRole) {
        switch (section) {
        case ErrorRate: return tr("Failed attempts over the last minute");
        case Latency: return tr("Median and 99th percentile latency over the last minute");
        case Ttft: return tr("Median time to the first token over the last minute");
        case Load: return tr("Requests in flight / the concurrency limit in force");
        case Queue: return tr("Requests waiting for a slot / the most that may wait");
        default: return {};
        }
    }
    return {};
}
