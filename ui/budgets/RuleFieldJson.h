#pragma once

#include <QJsonObject>
#include <QString>

// How the rule dialogs turn what was typed into the admin API's JSON: a number when it reads as
// one, the text itself when not (so the API's validation names the field), nothing when empty.
namespace RuleFieldJson {

void insertNumber(QJsonObject &object, const QString &key, const QString &typed);
// Micro-units as the amount a person types: "5", "2.5", "0.0125".
QString money(qint64 micros);

} // namespace RuleFieldJson
