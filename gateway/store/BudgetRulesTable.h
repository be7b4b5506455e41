#pragma once

#include <QJsonArray>
#include <QString>

class QSqlQuery;

// The one place that maps the budget rules to table `budget_rules` (one JSON object per rule, in
// order) and to the settings row that says they were saved: once saved through the admin API,
// the stored rules win over the config file's, even when the saved list is empty.
class BudgetRulesTable
{
public:
    // The settings key whose presence means "rules were saved"; its value is when (ms).
    static QString savedSettingKey();

    static QString deleteAllSql();
    static QString insertSql();
    static void bindInsert(QSqlQuery &query, int position, const QJsonValue &rule);
    static QString markSavedSql();
    static void bindMarkSaved(QSqlQuery &query, qint64 savedAt);

    // Selects one row, the saved-at time, if rules were ever saved.
    static QString selectSavedSql();
    // Selects the rule text in order; fromColumn() turns each back into JSON.
    static QString selectAllSql();
    static QJsonValue fromColumn(const QSqlQuery &query, int column = 0);
};
