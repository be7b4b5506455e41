#pragma once

#include "budget/BudgetLedger.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>

// Shared by the ledger tests: rules from JSON text, two subjects, demands, local times.
namespace LedgerFixtures {

inline QList<BudgetRule> rules(const QByteArray &json)
{
    QString error;
    const auto parsed = BudgetRule::listFromJson(QJsonDocument::fromJson(json).array(), &error);
    if (!parsed)
        qFatal("test rules do not parse: %s", qPrintable(error));
    return *parsed;
}

inline const BudgetSubject Acme{QStringLiteral("acme"), QStringLiteral("agent-1"), QStringLiteral("gpt-4o")};
inline const BudgetSubject Globex{QStringLiteral("globex"), QStringLiteral("agent-2"), QStringLiteral("gpt-4o")};

inline BudgetDemand tokens(qint64 n)
{
    return {n, 0, 0, 0};
}

inline BudgetDemand dollars(double amount)
{
    return {0, qint64(amount * 1e6 + 0.5), 0, 0};
}

// A wall-clock time in the test's zone (Europe/Berlin).
inline QDateTime local(int y, int mo, int d, int h, int mi, int s = 0)
{
    return QDateTime(QDate(y, mo, d), QTime(h, mi, s));
}

} // namespace LedgerFixtures
