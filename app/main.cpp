#include <QCoreApplication>
#include <cstdio>

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    std::printf("tokenfuse %s\n", TOKENFUSE_VERSION);
    return 0;
}
