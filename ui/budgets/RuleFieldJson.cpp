#include "RuleFieldJson.h"

void RuleFieldJson::insertNumber(QJsonObject &object, const QString &key, const QString &typed)
{
    const QString text = typed.trimmed();
    if (text.isEmpty())
        return;
    bool ok = false;
    const qlonglong whole = text.toLongLong(&ok);
    if (ok) {
        object.insert(key, whole);
        return;
    }
    const double number = text.toDouble(&ok);
    object.insert(key, ok ? QJsonValue(number) : QJsonValue(text));
}

QString RuleFieldJson::money(qint64 micros)
{
    QString text = QString::number(micros / 1'000'000);
    if (const qint64 fraction = micros % 1'000'000) {
        QString digits = QStringLiteral("%1").arg(fraction, 6, 10, QLatin1Char('0'));
        while (digits.endsWith(QLatin1Char('0')))
            digits.chop(1);
        text += QLatin1Char('.') + digits;
    }
    return text;
}
