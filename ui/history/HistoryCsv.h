#pragma once

#include <QString>

class HistoryModel;

// Writes the History table as CSV (RFC 4180: comma separated, CRLF line ends, a field with a
// comma, quote or line break in quotes, quotes doubled), one header line then exactly the model's
// rows: bucket_start as ISO 8601 local time with its UTC offset, the key ("other" for the fold),
// the counts, cost in currency units with 6 decimals, the currency code.
namespace HistoryCsv {

bool write(const HistoryModel &model, const QString &path, QString *error);
// One field, quoted when it must be.
QString field(const QString &text);

} // namespace HistoryCsv
