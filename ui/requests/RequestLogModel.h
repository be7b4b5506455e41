#pragma once

#include "accounting/UsageRecord.h"

#include <QAbstractTableModel>
#include <QColor>
#include <QHash>
#include <QList>
#include <QSet>
#include <QString>

// The latest requests as table rows, newest first: a bounded ring fed from each snapshot's
// `recorded` rows. A snapshot's rows arrive as one insertion at the top (and, once the ring is
// full, one removal of the oldest at the bottom), never a signal per row, so a view and its proxy
// do one pass per snapshot however many requests ended.
class RequestLogModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column { Time, Status, Model, Session, Tenant, Endpoint, TokensIn, TokensOut, Cost, Latency, Ttft, ColumnCount };
    enum Role {
        SortRole = Qt::UserRole + 1, // raw numbers (ms, micros, tokens) or lower-case text
        IdRole,                      // the row's request id, whatever the column
        StatusRole,                  // the HTTP status
        StatusClassRole,             // int(StatusClass)
        ModelRole,
        SessionRole,
        TenantRole,
        EndpointRole,
        SearchRole,                  // the texts free-text filtering looks in, lower case
    };
    // How a request ended, as the filters and colours group it.
    enum class StatusClass { Ok, Refused, UpstreamError, OtherError };

    static constexpr int DefaultCapacity = 5000;

    explicit RequestLogModel(QObject *parent = nullptr, int capacity = DefaultCapacity);

    // Adds rows that ended, oldest first (a snapshot's `recorded`); rows already held (same id)
    // are skipped. One insertion, at most one removal.
    void append(const QList<UsageRecord> &rows);
    void setCurrency(const QString &currencyCode);

    int capacity() const { return m_capacity; }
    // The row of a request id, -1 when not held.
    int rowOf(const QString &id) const;
    const UsageRecord &recordAt(int row) const { return m_ring.at(m_ring.size() - 1 - row); }
    // The distinct values seen in the rows held, for the filter lists.
    QStringList models() const { return distinct(m_models); }
    QStringList sessions() const { return distinct(m_sessions); }
    QStringList endpoints() const { return distinct(m_endpoints); }

    static StatusClass statusClass(const UsageRecord &record);
    // The colour a status is shown in; invalid for a plain success.
    static QColor statusColor(const UsageRecord &record);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    QVariant display(const UsageRecord &r, int column) const;
    QVariant sortKey(const UsageRecord &r, int column) const;
    static QStringList distinct(const QHash<QString, int> &counts);
    void count(const UsageRecord &r, int delta);

    int m_capacity;
    // Oldest first, so appending is cheap; row 0 is the last element.
    QList<UsageRecord> m_ring;
    // How many held rows carry each value, so the filter lists shrink as rows leave.
    QHash<QString, int> m_models;
    QHash<QString, int> m_sessions;
    QHash<QString, int> m_endpoints;
    qint64 m_dropped = 0; // rows pushed out of the ring: the absolute index of m_ring[0]
    QHash<QString, qint64> m_seqOf; // id -> absolute index, for rowOf and to skip rows held already
    QString m_currency = QStringLiteral("USD");
};
