// Test helper for tst_UsageStore: records usage rows as fast as the event loop allows into the
// store in argv[1] and prints each row's id on stdout once its commit is acknowledged, until
// argv[2] rows are done or it is killed.
#include "UsageSamples.h"
#include "store/UsageStore.h"

#include <QCoreApplication>
#include <QTimer>

#include <cstdio>

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const QStringList args = app.arguments();
    if (args.size() != 3) {
        std::fprintf(stderr, "usage: usage_store_child DATA_DIR ROWS\n");
        return 2;
    }
    const int total = args.at(2).toInt();

    UsageStore store;
    QString error;
    if (!store.open(args.at(1), &error)) {
        std::fprintf(stderr, "%s\n", qPrintable(error));
        return 1;
    }
    QObject::connect(&store, &UsageStore::writeFailed, [](const QString &message) {
        std::fprintf(stderr, "%s\n", qPrintable(message));
    });

    int next = 0;
    QTimer pump;
    pump.setInterval(0);
    QObject::connect(&pump, &QTimer::timeout, [&] {
        for (int i = 0; i < 50 && next < total; ++i, ++next) {
            const UsageRecord row = UsageSamples::sample(next);
            store.record(row, [id = row.id.toLatin1()] {
                std::fwrite(id.constData(), 1, size_t(id.size()), stdout);
                std::fputc('\n', stdout);
                std::fflush(stdout);
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
