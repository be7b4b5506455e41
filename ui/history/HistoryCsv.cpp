#include "HistoryCsv.h"

#include "history/HistoryModel.h"

#include <QDateTime>
#include <QSaveFile>
#include <QStringList>

namespace {

QString keyHeader(UsageQuery::Split split)
{
    switch (split) {
    case UsageQuery::Split::Model: return QStringLiteral("model");
    case UsageQuery::Split::Tenant: return QStringLiteral("tenant");
    case UsageQuery::Split::Session: return QStringLiteral("session");
    case UsageQuery::Split::None: break;
    }
    return QStringLiteral("key");
}

QString isoLocal(qint64 ms)
{
    const QDateTime local = QDateTime::fromMSecsSinceEpoch(ms);
    return local.toOffsetFromUtc(local.offsetFromUtc()).toString(Qt::ISODate);
}

// Micro-units as units with six decimals, exactly (no floating point on the way).
QString units(qint64 micros)
{
    const bool negative = micros < 0;
    const quint64 magnitude = negative ? quint64(-(micros + 1)) + 1 : quint64(micros);
    return QStringLiteral("%1%2.%3")
        .arg(negative ? QStringLiteral("-") : QString())
        .arg(magnitude / 1000000)
        .arg(magnitude % 1000000, 6, 10, QLatin1Char('0'));
}

} // namespace

namespace HistoryCsv {

QString field(const QString &text)
{
    if (!text.contains(QLatin1Char(',')) && !text.contains(QLatin1Char('"')) && !text.contains(QLatin1Char('\n'))
        && !text.contains(QLatin1Char('\r')))
        return text;
    QString quoted = text;
    quoted.replace(QLatin1String("\""), QLatin1String("\"\""));
    return QLatin1Char('"') + quoted + QLatin1Char('"');
}

bool write(const HistoryModel &model, const QString &path, QString *error)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly)) {
        *error = QObject::tr("Cannot write %1: %2").arg(path, file.errorString());
        return false;
    }
    const QString crlf = QStringLiteral("\r\n");
    QString text = QStringList{QStringLiteral("bucket_start"), keyHeader(model.split()), QStringLiteral("requests"),
                               QStringLiteral("prompt_tokens"), QStringLiteral("completion_tokens"), QStringLiteral("cost"),
                               QStringLiteral("currency")}
                       .join(QLatin1Char(','))
        + crlf;
    for (const UsageSeriesRow &row : model.rows()) {
        const QStringList cells{isoLocal(row.bucketStartMs),
                                field(row.other ? QStringLiteral("other") : row.key),
                                QString::number(row.requests),
                                QString::number(row.promptTokens),
                                QString::number(row.completionTokens),
                                units(row.costMicros),
                                field(model.currency())};
        text += cells.join(QLatin1Char(',')) + crlf;
    }
    const QByteArray bytes = text.toUtf8();
    if (file.write(bytes) != bytes.size() || !file.commit()) {
        *error = QObject::tr("Cannot write %1: %2").arg(path, file.errorString());
        return false;
    }
    return true;
}

} // namespace HistoryCsv
