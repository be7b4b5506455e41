#pragma once

#include "admin/AdminCall.h"

#include <QHash>
#include <QObject>
#include <QPointer>

#include <functional>

// The console's line to the admin API: a page asks with call(), the composition root carries the
// call to GatewayHost::adminCall (queued to the gateway thread, run by the admin API's own
// handlers) and the answer back to deliver(), which hands it to the page's callback on the GUI
// thread. A page that is gone by then is simply not called. Nothing here blocks.
class AdminChannel : public QObject
{
    Q_OBJECT
public:
    using Done = std::function<void(const AdminAnswer &)>;

    explicit AdminChannel(QObject *parent = nullptr);

    // `done` runs once, on this thread, if `context` still exists when the answer comes.
    void call(const AdminCall &call, QObject *context, Done done);
    int pending() const { return int(m_pending.size()); }

public Q_SLOTS:
    void deliver(quint64 ticket, const AdminAnswer &answer);

Q_SIGNALS:
    void callRequested(quint64 ticket, const AdminCall &call);
    // Every answer, after its callback: for status lines and tests.
    void answered(const AdminCall &call, const AdminAnswer &answer);

private:
    struct Pending
    {
        AdminCall call;
        QPointer<QObject> context;
        Done done;
    };
    quint64 m_next = 1;
    QHash<quint64, Pending> m_pending;
};
