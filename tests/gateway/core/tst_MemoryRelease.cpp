// MemoryRelease: heap memory that was freed but that glibc kept comes back to the system (the
// process's resident set shrinks) after releaseFreedMemory().
#include "core/MemoryRelease.h"

#include <QFile>
#include <QtTest>

#include <cstdlib>
#include <vector>

namespace {
qint64 residentKb()
{
    QFile f(QStringLiteral("/proc/self/status"));
    if (!f.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray &line : f.readAll().split('\n')) {
        if (line.startsWith("VmRSS:"))
            return line.mid(6).trimmed().split(' ').value(0).toLongLong();
    }
    return -1;
}
} // namespace

class tst_MemoryRelease : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void freedHeapIsGivenBack()
    {
        constexpr int blocks = 3000;
        constexpr size_t blockBytes = 64 * 1024; // under glibc's mmap threshold: from the heap
        // Big blocks kept apart by small live ones, as a large body's pieces are by everything
        // allocated meanwhile: freeing them leaves holes that glibc does not give back by itself.
        std::vector<char *> big, small;
        volatile char sink = 0;
        for (int i = 0; i < blocks; ++i) {
            big.push_back(static_cast<char *>(std::malloc(blockBytes)));
            for (size_t k = 0; k < blockBytes; k += 4096)
                big.back()[k] = char(i + k);
            small.push_back(static_cast<char *>(std::malloc(32)));
            small.back()[0] = char(i);
            sink = sink + big.back()[blockBytes / 2];
        }
        const qint64 held = residentKb();
        for (char *p : big)
            std::free(p);
        const qint64 freed = residentKb();
        const qint64 bigKb = qint64(blocks) * qint64(blockBytes) / 1024;
        qInfo("RSS with the blocks %lld KB, after free() %lld KB", held, freed);
        QVERIFY2(held - freed < bigKb / 2, "free() alone already returned the memory: the test proves nothing");

        MemoryRelease::releaseFreedMemory();
        MemoryRelease::releaseFreedMemory(); // folded into the same trim
        QTRY_VERIFY_WITH_TIMEOUT(residentKb() < freed - bigKb * 3 / 4, 5000);
        qInfo("RSS after the trim %lld KB", residentKb());
        for (char *p : small)
            std::free(p);
        Q_UNUSED(sink);
    }
};

QTEST_GUILESS_MAIN(tst_MemoryRelease)
#include "tst_MemoryRelease.moc"
