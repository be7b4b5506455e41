#include "BudgetRulesTable.h"

#include "ColumnCodec.h"

#include <QSqlQuery>
#include <QVariant>

QString BudgetRulesTable::savedSettingKey()
{
    return QStringLiteral("budget_rules_saved_at");
}

QString BudgetRulesTable::deleteAllSql()
{
    return QStringLiteral("DELETE FROM budget_rules");
}

QString BudgetRulesTable::insertSql()
{
    return QStringLiteral("INSERT INTO budget_rules (position, rule) VALUES (?, ?)");
}

void BudgetRulesTable::bindInsert(QSqlQuery &query, int position, const QJsonValue &rule)
{
    query.bindValue(0, position);
    query.bindValue(1, ColumnCodec::jsonText(rule));
}

QString BudgetRulesTable::markSavedSql()
{
    return QStringLiteral("INSERT INTO settings (key, value) VALUES (?, ?) "
                          "ON CONFLICT (key) DO UPDATE SET value = excluded.value");
}

void BudgetRulesTable::bindMarkSaved(QSqlQuery &query, qint64 savedAt)
{
    query.bindValue(0, savedSettingKey());
    query.bindValue(1, QString::number(savedAt));
}

QString BudgetRulesTable::selectSavedSql()
{
    return QStringLiteral("SELECT value FROM settings WHERE key = '%1'").arg(savedSettingKey());
}

QString BudgetRulesTable::selectAllSql()
{
    return QStringLiteral("SELECT rule FROM budget_rules ORDER BY position");
}

QJsonValue BudgetRulesTable::fromColumn(const QSqlQuery &query, int column)
{
    return ColumnCodec::jsonValue(query.value(column).toString());
}
