// Test helper for the store's kill -9 tests: writes into the store in argv[1] as fast as the event
// loop allows and prints what each commit acknowledged on stdout, until argv[2] requests are done
// or it is killed.
//   rows     (default) records usage rows; prints each row's id once committed.
//   budgets  reserves each request, and once the reservation has committed settles three out of
//            four with record(row, spend); prints "R id" per committed reservation and "S id" per
//            committed settlement. Every fourth request stays reserved: in flight at the kill.
//   blocks   saves a session block with its audit entry per request (BlockSamples::block(n));
//            prints each block's target once committed.
#include "StoreCallbacks.h"
#include "BlockSamples.h"
#include "BudgetSamples.h"
#include "UsageSamples.h"
#include "store/UsageStore.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QTimer>

#include <cstdio>

namespace {

void printLine(const QByteArray &line)
{
    std::fwrite(line.constData(), 1, size_t(line.size()), stdout);
    std::fputc('\n', stdout);
    std::fflush(stdout);
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const QStringList args = app.arguments();
    if (args.size() < 3 || args.size() > 4) {
        std::fprintf(stderr, "usage: usage_store_child DATA_DIR REQUESTS [rows|budgets|blocks]\n");
        return 2;
    }
    const int total = args.at(2).toInt();
    const bool budgets = args.size() == 4 && args.at(3) == QLatin1String("budgets");
    const bool blocks = args.size() == 4 && args.at(3) == QLatin1String("blocks");

    UsageStore store;
    QString error;
    if (!store.open(args.at(1), &error)) {
        std::fprintf(stderr, "%s\n", qPrintable(error));
        return 1;
    }
    QObject::connect(&store, &UsageStore::writeFailed, [](const QString &message) {
        std::fprintf(stderr, "%s\n", qPrintable(message));
    });
    if (budgets) {
        store.recoverAndLoad(QDateTime::currentMSecsSinceEpoch(), &error);
        if (!error.isEmpty()) {
            std::fprintf(stderr, "%s\n", qPrintable(error));
            return 1;
        }
    }

    int next = 0;
    // Budgets: requests reserved and not yet settled, kept near what a busy gateway has in flight
    // so that the kill lands among reservations, settlements and everything in between.
    int inFlight = 0;
    constexpr int maxInFlight = 200;
    QTimer pump;
    pump.setInterval(0);
    QObject::connect(&pump, &QTimer::timeout, [&] {
        for (int i = 0; i < 50 && next < total && inFlight < maxInFlight; ++i, ++next) {
            const int n = next;
            const UsageRecord row = UsageSamples::sample(n);
            const QByteArray id = row.id.toLatin1();
            if (blocks) {
                const SessionBlock block = BlockSamples::block(n);
                store.saveBlock(block, BlockSamples::audit(block), whenCommitted([target = block.target.toLatin1()] {
                    printLine(target);
                }));
                continue;
            }
            if (!budgets) {
                store.record(row, whenCommitted([id] { printLine(id); }));
                continue;
            }
            ++inFlight;
            store.reserve(BudgetSamples::reservation(n), [&store, &inFlight, n, row, id](const StoreOutcome &) {
                printLine("R " + id);
                if (n % 4 == 0) {
                    --inFlight; // never settled: left open for recovery
                    return;
                }
                store.record(row, BudgetSamples::spend(n), [&inFlight, id](const StoreOutcome &) {
                    --inFlight;
                    printLine("S " + id);
                });
            });
        }
        if (next == total) {
            pump.stop();
            store.flush();
            app.quit();
        }
    });
    pump.start();
    return app.exec();
}
