#include "AdminChannel.h"

AdminChannel::AdminChannel(QObject *parent) : QObject(parent)
{
    qRegisterMetaType<AdminCall>();
    qRegisterMetaType<AdminAnswer>();
}

void AdminChannel::call(const AdminCall &call, QObject *context, Done done)
{
    const quint64 ticket = m_next++;
    m_pending.insert(ticket, Pending{call, context, std::move(done)});
    Q_EMIT callRequested(ticket, call);
}

void AdminChannel::deliver(quint64 ticket, const AdminAnswer &answer)
{
    const auto it = m_pending.find(ticket);
    if (it == m_pending.end())
        return;
    const Pending p = std::move(it.value());
    m_pending.erase(it);
    if (p.context && p.done)
        p.done(answer);
    Q_EMIT answered(p.call, answer);
}
