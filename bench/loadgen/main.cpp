// loadgen: TokenFuse's benchmark load generator. Three modes, each printing one "RESULT ..." line
// of key=value pairs per measurement for bench/run.sh to tabulate:
//   rate     open-loop requests at a fixed rate; latency from the scheduled send time
//   streams  N concurrent streams held at once; memory and CPU of watched processes meanwhile
//   relay    per-chunk delay of streamed chunks, from an upstream that stamps each chunk
#include "BenchTarget.h"
#include "OpenLoopRun.h"
#include "RelayDelayRun.h"
#include "StreamHoldRun.h"
#include "TimestampUpstream.h"

#include <QCoreApplication>
#include <QMultiHash>
#include <QThread>

#include <cstdio>
#include <sys/resource.h>

namespace {

const char *kUsage =
    "usage:\n"
    "  loadgen rate    --url URL [--name N] [--header 'k: v']... [--body JSON] [--rate R] [--warmup S] [--duration S]\n"
    "                  [--connections C] [--max-connections M] [--fresh-connections 1] [--slow-log-ms MS]\n"
    "  loadgen streams --url URL [--name N] [--header 'k: v']... [--body JSON] [--streams N] [--watch NAME=PID]...\n"
    "                  [--settle-ms MS] [--window-ms MS] [--timeout-s S] [--connect-at-once K]\n"
    "  loadgen relay   --serve-port PORT --target NAME=URL... [--body JSON] [--streams S] [--chunks C] [--interval-ms MS]\n";

const char *kDefaultBody = "{\"model\":\"bench-model\",\"messages\":[{\"role\":\"user\",\"content\":\"Hello, world!\"}]}";
const char *kDefaultStreamBody =
    "{\"model\":\"bench-model\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"Hello, world!\"}]}";

void raiseOpenFileLimit()
{
    rlimit rl = {};
    if (::getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        ::setrlimit(RLIMIT_NOFILE, &rl);
    }
}

int usageError(const QString &why)
{
    std::fprintf(stderr, "loadgen: %s\n%s", qPrintable(why), kUsage);
    return 2;
}

} // namespace

int main(int argc, char **argv)
{
    // The plain poll() dispatcher: the GLib one costs more per socket, and this is a load generator.
    qputenv("QT_NO_GLIB", "1");
    raiseOpenFileLimit();
    QCoreApplication app(argc, argv);
    QStringList args = app.arguments().mid(1);
    if (args.isEmpty())
        return usageError(QStringLiteral("no mode"));
    const QString mode = args.takeFirst();
    QMultiHash<QString, QString> opt;
    for (int i = 0; i < args.size(); ++i) {
        if (!args[i].startsWith(QLatin1String("--")) || i + 1 >= args.size())
            return usageError(QStringLiteral("bad argument '%1'").arg(args[i]));
        opt.insert(args[i].mid(2), args[i + 1]);
        ++i;
    }
    auto number = [&](const char *key, double fallback) {
        return opt.contains(QLatin1String(key)) ? opt.value(QLatin1String(key)).toDouble() : fallback;
    };
    QList<QByteArray> headers;
    const QStringList headerValues = opt.values(QStringLiteral("header"));
    for (auto it = headerValues.crbegin(); it != headerValues.crend(); ++it) // values() lists the last given first
        headers.append(it->toUtf8());
    QString error;
    int exitCode = 0;

    if (mode == QLatin1String("rate") || mode == QLatin1String("streams")) {
        const bool rate = mode == QLatin1String("rate");
        const QByteArray body = opt.value(QStringLiteral("body"), QString::fromUtf8(rate ? kDefaultBody : kDefaultStreamBody)).toUtf8();
        const auto target = BenchTarget::fromUrl(opt.value(QStringLiteral("name"), QStringLiteral("target")),
                                                 opt.value(QStringLiteral("url")), headers, body, &error);
        if (!target)
            return usageError(error);
        if (rate) {
            OpenLoopRun::Options o;
            o.rate = number("rate", o.rate);
            o.warmupS = number("warmup", o.warmupS);
            o.durationS = number("duration", o.durationS);
            o.connections = int(number("connections", o.connections));
            o.maxConnections = int(number("max-connections", o.maxConnections));
            o.fresh = number("fresh-connections", 0) != 0;
            o.slowLogMs = number("slow-log-ms", 0);
            auto *run = new OpenLoopRun(*target, o, &app);
            QObject::connect(run, &OpenLoopRun::finished, &app, [&exitCode](int rc) { exitCode = rc; QCoreApplication::quit(); });
            run->start();
        } else {
            StreamHoldRun::Options o;
            o.streams = int(number("streams", o.streams));
            o.settleMs = int(number("settle-ms", o.settleMs));
            o.windowMs = int(number("window-ms", o.windowMs));
            o.timeoutS = int(number("timeout-s", o.timeoutS));
            o.connectAtOnce = int(number("connect-at-once", o.connectAtOnce));
            const QStringList watches = opt.values(QStringLiteral("watch"));
            for (auto it = watches.crbegin(); it != watches.crend(); ++it) {
                const qsizetype eq = it->indexOf(QLatin1Char('='));
                if (eq <= 0)
                    return usageError(QStringLiteral("--watch wants NAME=PID"));
                o.watch.append({it->left(eq), it->mid(eq + 1).toLongLong()});
            }
            auto *run = new StreamHoldRun(*target, o, &app);
            QObject::connect(run, &StreamHoldRun::finished, &app, [&exitCode](int rc) { exitCode = rc; QCoreApplication::quit(); });
            run->start();
        }
        QCoreApplication::exec();
        return exitCode;
    }

    if (mode == QLatin1String("relay")) {
        RelayDelayRun::Options o;
        o.streams = int(number("streams", o.streams));
        o.chunks = int(number("chunks", o.chunks));
        o.intervalMs = int(number("interval-ms", o.intervalMs));
        const QByteArray body = opt.value(QStringLiteral("body"), QString::fromUtf8(kDefaultStreamBody)).toUtf8();
        QList<BenchTarget> targets;
        const QStringList values = opt.values(QStringLiteral("target"));
        for (auto it = values.crbegin(); it != values.crend(); ++it) {
            const qsizetype eq = it->indexOf(QLatin1Char('='));
            if (eq <= 0)
                return usageError(QStringLiteral("--target wants NAME=URL"));
            const auto t = BenchTarget::fromUrl(it->left(eq), it->mid(eq + 1), headers, body, &error);
            if (!t)
                return usageError(error);
            targets.append(*t);
        }
        if (targets.isEmpty() || !opt.contains(QStringLiteral("serve-port")))
            return usageError(QStringLiteral("relay needs --serve-port and at least one --target"));

        // The upstream gets a thread of its own, so its writes are not delayed by this client's reads.
        QThread upstreamThread;
        upstreamThread.setObjectName(QStringLiteral("timestamp-upstream"));
        auto *upstream = new TimestampUpstream(o.chunks, o.intervalMs);
        upstream->moveToThread(&upstreamThread);
        upstreamThread.start();
        bool listening = false;
        QMetaObject::invokeMethod(upstream, [&] {
            listening = upstream->listen(quint16(opt.value(QStringLiteral("serve-port")).toUInt()), &error);
        }, Qt::BlockingQueuedConnection);
        if (listening) {
            auto *run = new RelayDelayRun(targets, o, &app);
            QObject::connect(run, &RelayDelayRun::finished, &app, [&exitCode](int rc) { exitCode = rc; QCoreApplication::quit(); });
            run->start();
            QCoreApplication::exec();
        } else {
            std::fprintf(stderr, "loadgen: relay: cannot listen: %s\n", qPrintable(error));
            exitCode = 1;
        }
        QMetaObject::invokeMethod(upstream, [upstream] { delete upstream; }, Qt::BlockingQueuedConnection);
        upstreamThread.quit();
        upstreamThread.wait();
        return exitCode;
    }
    return usageError(QStringLiteral("unknown mode '%1'").arg(mode));
}
