#include "SessionsModel.h"

#include "ConsoleFormat.h"
#include "ConsolePalette.h"
#include "session/SessionCommand.h"

#include <QColor>
#include <QDateTime>
#include <QGuiApplication>
#include <QPalette>
#include <QSet>

#include <utility>

namespace {

using State = SessionView::State;

bool blocked(State state)
{
    return state == State::Tripped || state == State::Killed;
}

QString stateLabel(State state)
{
    switch (state) {
    case State::Active: return SessionsModel::tr("Active");
    case State::Throttled: return SessionsModel::tr("Throttled");
    case State::Tripped: return SessionsModel::tr("Tripped");
    case State::Killed: return SessionsModel::tr("Killed");
    }
    return {};
}

QString clock(qint64 ms)
{
    return ConsoleFormat::clockTime(ms, QDateTime::currentMSecsSinceEpoch());
}

// The columns whose text, sort key or tooltip differ between two views of one session, as the
// smallest range holding them all; {-1, -1} when nothing shown differs.
std::pair<int, int> changedColumns(const SessionView &a, const SessionView &b)
{
    using C = SessionsModel::Column;
    if (a.state != b.state || a.reason != b.reason || a.stateSinceMs != b.stateSinceMs || a.costAtTripMicros != b.costAtTripMicros)
        return {0, C::ColumnCount - 1}; // the row's tint, the button and several tooltips
    int first = C::ColumnCount;
    int last = -1;
    const auto mark = [&](bool differs, int column) {
        if (differs) {
            first = qMin(first, column);
            last = qMax(last, column);
        }
    };
    mark(a.process != b.process || a.models != b.models || a.firstSeenMs != b.firstSeenMs, C::Session);
    mark(a.tenant != b.tenant, C::Tenant);
    mark(a.costMicros != b.costMicros || a.costMicrosPerMinute != b.costMicrosPerMinute, C::Cost);
    mark(a.tokensPerMinute != b.tokensPerMinute || a.promptTokens != b.promptTokens || a.completionTokens != b.completionTokens,
         C::TokensPerMinute);
    mark(a.requests != b.requests || a.requestsPerMinute != b.requestsPerMinute, C::Requests);
    mark(a.inFlight != b.inFlight, C::InFlight);
    mark(a.lastSeenMs != b.lastSeenMs, C::LastSeen);
    mark(a.lastPrompt != b.lastPrompt, C::LastPrompt);
    return last < 0 ? std::pair{-1, -1} : std::pair{first, last};
}

} // namespace

SessionsModel::SessionsModel(QObject *parent) : KeyedTableModel(parent)
{
}

QColor SessionsModel::stateColor(SessionView::State state)
{
    using S = SessionView::State; // State alone is the column here
    switch (state) {
    case S::Active: return ConsolePalette::success();
    case S::Throttled: return ConsolePalette::pending();
    case S::Tripped: return ConsolePalette::failure();
    case S::Killed: return ConsolePalette::stopped();
    }
    return ConsolePalette::success();
}

void SessionsModel::setCurrency(const QString &currencyCode)
{
    if (currencyCode == m_currency)
        return;
    m_currency = currencyCode;
    if (!m_rows.isEmpty())
        Q_EMIT dataChanged(index(0, Cost), index(int(m_rows.size()) - 1, Cost));
}

void SessionsModel::setSessions(const QList<SessionView> &sessions)
{
    merge(sessions);
}

std::pair<int, int> SessionsModel::changedColumns(const SessionView &before, const SessionView &after) const
{
    return ::changedColumns(before, after);
}

int SessionsModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant SessionsModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const SessionView &s = m_rows.at(index.row());
    const int column = index.column();
    switch (role) {
    case Qt::DisplayRole:
        return display(s, column);
    case SortRole:
        return sortKey(s, column);
    case SessionIdRole:
        return s.id;
    case TenantRole:
        return s.tenant;
    case StateRole:
        return int(s.state);
    case ActionRole:
        // Resume undoes what blocks the row: its own breaker, its tenant's, or stop-all.
        switch (s.blockedBy) {
        case SessionView::BlockedBy::Tenant: return int(SessionCommand::Action::ResumeTenant);
        case SessionView::BlockedBy::All: return int(SessionCommand::Action::ResumeAll);
        case SessionView::BlockedBy::Session: return int(SessionCommand::Action::ResumeSession);
        case SessionView::BlockedBy::Nothing: break;
        }
        return int(blocked(s.state) ? SessionCommand::Action::ResumeSession : SessionCommand::Action::KillSession);
    case Qt::ToolTipRole:
        return toolTip(s, column);
    case Qt::ForegroundRole:
        if (column == State)
            return ConsolePalette::readableOn(stateColor(s.state), QGuiApplication::palette().color(QPalette::Base));
        return {};
    case Qt::BackgroundRole:
        if (blocked(s.state)) {
            // A faint tint of the state's colour: readable over a light or a dark base.
            QColor tint = stateColor(s.state);
            tint.setAlphaF(0.13f);
            return tint;
        }
        return {};
    case Qt::TextAlignmentRole:
        if (column == Cost || column == TokensPerMinute || column == Requests || column == InFlight)
            return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
        if (column == Action || column == State)
            return QVariant::fromValue(Qt::AlignCenter);
        return QVariant::fromValue(Qt::AlignLeft | Qt::AlignVCenter);
    default:
        return {};
    }
}

QVariant SessionsModel::display(const SessionView &s, int column) const
{
    switch (column) {
    case Session: return s.id;
    case Tenant: return s.tenant;
    case State: return stateLabel(s.state);
    case Cost: return ConsoleFormat::money(s.costMicros, m_currency);
    case TokensPerMinute: return ConsoleFormat::tokens(s.tokensPerMinute);
    case Requests: return ConsoleFormat::count(s.requests);
    case InFlight: return ConsoleFormat::count(s.inFlight);
    case LastSeen: return clock(s.lastSeenMs);
    case LastPrompt: return QString(s.lastPrompt).replace(QLatin1Char('\n'), QLatin1Char(' '));
    case Action: return blocked(s.state) ? tr("Resume") : tr("Kill");
    default: return {};
    }
}

QVariant SessionsModel::sortKey(const SessionView &s, int column) const
{
    switch (column) {
    case Session: return s.id.toLower();
    case Tenant: return s.tenant.toLower();
    case State: return int(s.state);
    case Cost: return s.costMicros;
    case TokensPerMinute: return s.tokensPerMinute;
    case Requests: return s.requests;
    case InFlight: return s.inFlight;
    case LastSeen: return s.lastSeenMs;
    case LastPrompt: return s.lastPrompt.toLower();
    case Action: return int(blocked(s.state));
    default: return {};
    }
}

QString SessionsModel::toolTip(const SessionView &s, int column) const
{
    switch (column) {
    case Session: {
        QString tip = tr("Session %1").arg(s.id);
        if (!s.process.isEmpty())
            tip += QLatin1Char('\n') + tr("Process: %1").arg(s.process);
        if (!s.models.isEmpty())
            tip += QLatin1Char('\n') + tr("Models: %1").arg(s.models.join(QStringLiteral(", ")));
        tip += QLatin1Char('\n') + tr("First seen %1").arg(clock(s.firstSeenMs));
        return tip;
    }
    case State: {
        QString tip = stateLabel(s.state);
        if (s.stateSinceMs > 0)
            tip += tr(" since %1").arg(clock(s.stateSinceMs));
        if (!s.reason.isEmpty())
            tip += QLatin1Char('\n') + s.reason;
        if (s.costAtTripMicros >= 0)
            tip += QLatin1Char('\n') + tr("Cost when stopped: %1").arg(ConsoleFormat::money(s.costAtTripMicros, m_currency));
        return tip;
    }
    case Cost: return tr("%1 in the last minute").arg(ConsoleFormat::money(s.costMicrosPerMinute, m_currency));
    case TokensPerMinute:
        return tr("Tokens in the last minute. Since the start: %1 in, %2 out")
            .arg(ConsoleFormat::count(s.promptTokens), ConsoleFormat::count(s.completionTokens));
    case Requests: return tr("%1 in the last minute").arg(ConsoleFormat::count(s.requestsPerMinute));
    case LastPrompt: return s.lastPrompt;
    case Action:
        return blocked(s.state) ? tr("Let session %1 send requests again").arg(s.id)
                                : tr("Block session %1 and end its requests in flight").arg(s.id);
    default: return {};
    }
}

QVariant SessionsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal)
        return {};
    if (role == Qt::DisplayRole) {
        switch (section) {
        case Session: return tr("Session");
        case Tenant: return tr("Tenant");
        case State: return tr("State");
        case Cost: return tr("Cost");
        case TokensPerMinute: return tr("Tokens/min");
        case Requests: return tr("Requests");
        case InFlight: return tr("In flight");
        case LastSeen: return tr("Last seen");
        case LastPrompt: return tr("Last prompt");
        case Action: return QString();
        default: return {};
        }
    }
    if (role == Qt::TextAlignmentRole) {
        // Over right-aligned figures, a right-aligned title.
        if (section == Cost || section == TokensPerMinute || section == Requests || section == InFlight)
            return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
        return QVariant::fromValue(Qt::AlignLeft | Qt::AlignVCenter);
    }
    if (role == Qt::ToolTipRole) {
        switch (section) {
        case Cost: return tr("Spend since the session was first seen");
        case TokensPerMinute: return tr("Prompt and completion tokens over the last 60 seconds");
        case Requests: return tr("Requests since the session was first seen");
        case InFlight: return tr("Requests and streams open right now");
        case LastPrompt: return tr("The start of the latest user turn, keys redacted");
        default: return {};
        }
    }
    return {};
}
