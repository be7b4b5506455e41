#pragma once

#include "widgets/CardFrame.h"

#include "accounting/UsageRecord.h"

class FieldGrid;
class QLabel;
class QPlainTextEdit;

// Everything known about the one request selected in the request log: its times, tokens, cost
// (and whether it was estimated, clamped or priced by the fallback), upstream, how it failed in
// plain words, and its request headers as the gateway redacted them. Shows a hint when none is.
class RequestDetails : public CardFrame
{
    Q_OBJECT
public:
    explicit RequestDetails(QWidget *parent = nullptr);

    void setCurrency(const QString &currencyCode) { m_currency = currencyCode; }
    // Shows `record`, or the "nothing selected" hint for nullptr.
    void showRecord(const UsageRecord *record);
    QString shownId() const { return m_shownId; }

    // What an error kind (UsageRecord::error) means, for people; empty on success.
    static QString explainError(const QString &kind, int status);

private:

    QString m_currency = QStringLiteral("USD");
    QString m_shownId;
    QLabel *m_title = nullptr;
    QLabel *m_hint = nullptr;
    QWidget *m_body = nullptr;
    FieldGrid *m_fields = nullptr;
    QPlainTextEdit *m_headers = nullptr;
};
