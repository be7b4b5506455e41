// HistoryModel: a well-behaved table model (QAbstractItemModelTester) that shows a usage series
// for people and keeps the raw values for export.
#include "history/HistoryModel.h"

#include <QAbstractItemModelTester>
#include <QDateTime>
#include <QSignalSpy>
#include <QtTest>

class tst_HistoryModel : public QObject
{
    Q_OBJECT
private slots:
    void passesTheModelTester();
    void showsTextAndKeepsRawValues();
    void keyTexts();
    void headersFollowBucketAndSplit();
    void totalAddsUpEveryRow();
    void currencyChangeUpdatesTheCostColumn();

private:
    static QList<UsageSeriesRow> sample();
};

QList<UsageSeriesRow> tst_HistoryModel::sample()
{
    const qint64 day = QDate(2026, 11, 30).startOfDay().toMSecsSinceEpoch();
    UsageSeriesRow a{day, QStringLiteral("claude-sonnet-4"), false, 3402, 1'200'000, 80'000, 12'400'000};
    UsageSeriesRow b{day, QStringLiteral("gpt-4o-mini"), false, 12, 950, 40, 1'200};
    UsageSeriesRow other{day, QString(), true, 5, 100, 10, 50};
    UsageSeriesRow c{day + 24 * 3600000, QStringLiteral("claude-sonnet-4"), false, 1, 10, 10, 1'000'000};
    return {a, b, other, c};
}

void tst_HistoryModel::passesTheModelTester()
{
    HistoryModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setRows(sample(), UsageQuery::Bucket::Day, UsageQuery::Split::Model);
    QCOMPARE(model.rowCount(), 4);
    QCOMPARE(model.columnCount(), int(HistoryModel::ColumnCount));
    model.setRows({}, UsageQuery::Bucket::Hour, UsageQuery::Split::None);
    QCOMPARE(model.rowCount(), 0);
    model.setRows(sample().mid(1), UsageQuery::Bucket::Hour, UsageQuery::Split::Tenant);
    QCOMPARE(model.rowCount(), 3);
    model.setCurrency(QStringLiteral("EUR"));
}

void tst_HistoryModel::showsTextAndKeepsRawValues()
{
    HistoryModel model;
    const QList<UsageSeriesRow> rows = sample();
    model.setRows(rows, UsageQuery::Bucket::Day, UsageQuery::Split::Model);
    const auto text = [&](int row, int column) { return model.index(row, column).data().toString(); };
    const auto raw = [&](int row, int column) { return model.index(row, column).data(HistoryModel::RawRole); };
    QCOMPARE(text(0, HistoryModel::BucketColumn), QStringLiteral("Mon 30 Nov 2026"));
    QCOMPARE(text(0, HistoryModel::KeyColumn), QStringLiteral("claude-sonnet-4"));
    QCOMPARE(text(0, HistoryModel::RequestsColumn), QStringLiteral("3,402"));
    QCOMPARE(text(0, HistoryModel::PromptColumn), QStringLiteral("1.2M"));
    QCOMPARE(text(0, HistoryModel::CompletionColumn), QStringLiteral("80k"));
    QCOMPARE(text(0, HistoryModel::CostColumn), QStringLiteral("$12.40"));
    QCOMPARE(text(1, HistoryModel::CostColumn), QStringLiteral("$0.0012"));
    QCOMPARE(raw(0, HistoryModel::BucketColumn).toLongLong(), rows[0].bucketStartMs);
    QCOMPARE(raw(0, HistoryModel::PromptColumn).toLongLong(), 1'200'000);
    QCOMPARE(raw(0, HistoryModel::CostColumn).toLongLong(), 12'400'000);
    QCOMPARE(raw(2, HistoryModel::KeyColumn).toString(), QStringLiteral("other"));
    QCOMPARE(model.index(0, HistoryModel::CostColumn).data(Qt::ToolTipRole).toString(), QStringLiteral("12.400000 USD"));
    QCOMPARE(Qt::Alignment(model.index(0, HistoryModel::CostColumn).data(Qt::TextAlignmentRole).toInt()) & Qt::AlignRight,
             Qt::AlignRight);

    model.setRows(rows, UsageQuery::Bucket::Hour, UsageQuery::Split::Model);
    QCOMPARE(text(0, HistoryModel::BucketColumn), QStringLiteral("Mon 30 Nov 00:00"));
}

void tst_HistoryModel::keyTexts()
{
    HistoryModel model;
    UsageSeriesRow empty;
    UsageSeriesRow other;
    other.other = true;
    model.setRows({}, UsageQuery::Bucket::Day, UsageQuery::Split::Session);
    QCOMPARE(model.keyText(empty), QStringLiteral("(none)"));
    QCOMPARE(model.keyText(other), QStringLiteral("other"));
    model.setRows({}, UsageQuery::Bucket::Day, UsageQuery::Split::None);
    QCOMPARE(model.keyText(empty), QStringLiteral("all"));
}

void tst_HistoryModel::headersFollowBucketAndSplit()
{
    HistoryModel model;
    model.setRows(sample(), UsageQuery::Bucket::Hour, UsageQuery::Split::Tenant);
    QCOMPARE(model.headerData(HistoryModel::BucketColumn, Qt::Horizontal).toString(), QStringLiteral("Hour"));
    QCOMPARE(model.headerData(HistoryModel::KeyColumn, Qt::Horizontal).toString(), QStringLiteral("Tenant"));
    QCOMPARE(model.headerData(HistoryModel::CostColumn, Qt::Horizontal).toString(), QStringLiteral("Cost"));
    model.setRows(sample(), UsageQuery::Bucket::Day, UsageQuery::Split::Model);
    QCOMPARE(model.headerData(HistoryModel::BucketColumn, Qt::Horizontal).toString(), QStringLiteral("Day"));
    QCOMPARE(model.headerData(HistoryModel::KeyColumn, Qt::Horizontal).toString(), QStringLiteral("Model"));
}

void tst_HistoryModel::totalAddsUpEveryRow()
{
    HistoryModel model;
    model.setRows(sample(), UsageQuery::Bucket::Day, UsageQuery::Split::Model);
    const UsageSeriesRow total = model.total();
    QCOMPARE(total.requests, 3402 + 12 + 5 + 1);
    QCOMPARE(total.promptTokens, 1'200'000 + 950 + 100 + 10);
    QCOMPARE(total.completionTokens, 80'000 + 40 + 10 + 10);
    QCOMPARE(total.costMicros, 12'400'000 + 1'200 + 50 + 1'000'000);
}

void tst_HistoryModel::currencyChangeUpdatesTheCostColumn()
{
    HistoryModel model;
    model.setRows(sample(), UsageQuery::Bucket::Day, UsageQuery::Split::Model);
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    model.setCurrency(QStringLiteral("EUR"));
    QCOMPARE(changed.size(), 1);
    QCOMPARE(changed.first().at(0).toModelIndex().column(), int(HistoryModel::CostColumn));
    QCOMPARE(model.index(0, HistoryModel::CostColumn).data().toString(), QStringLiteral("€12.40"));
    QCOMPARE(model.currency(), QStringLiteral("EUR"));
}

QTEST_MAIN(tst_HistoryModel)
#include "tst_HistoryModel.moc"
