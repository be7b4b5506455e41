#include "CommandLine.h"

#include "KeychainSecretStore.h"
#include "simulator/SimulatorProfile.h"

#include <QFileInfo>
#include <QJsonArray>
#include <QJsonObject>

namespace {
const char *const kHelp = R"(Usage:
  tokenfuse [options]                 console and gateway (headless when no display can be opened)
  tokenfuse --headless [options]      the gateway alone
  tokenfuse simulate [options]        the built-in simulated LLM provider as a server of its own

Options:
  --listen HOST:PORT        where to listen (default 127.0.0.1:8400; simulate: 127.0.0.1:9400)
  --data-dir DIR            where tokenfuse.db and admin.token live (default ~/.local/share/tokenfuse)
  --config FILE             config file (default ~/.config/tokenfuse/config.json, if it exists)
  --simulate                every model is answered by the built-in simulator
  --upstream URL            an OpenAI-compatible upstream for every model (base URL, e.g. https://api.deepseek.com/v1)
  --upstream-dialect D      openai (default) or anthropic, for --upstream
  --upstream-key-env NAME   environment variable holding the --upstream key (default OPENAI_API_KEY)
  --headless                no console window
  --version                 print the version
  --help                    this text

Simulator options (tokenfuse simulate, or with --simulate):
  --ttft-ms N  --tokens-per-second N  --completion-tokens N  --fault SPEC  --retry-after SECONDS
  --tool-call NAME  --tool-args JSON   (answer with that tool call until its result comes back)
  (SPEC: status:CODE, hang, disconnect:N, malformed:N, no-usage; see docs/simulator.md)

Exit codes: 0 clean stop, 2 bad command line or config, 1 anything else.
)";

Invocation error(const QString &message)
{
    Invocation inv;
    inv.mode = Invocation::Mode::Error;
    inv.error = message;
    return inv;
}
} // namespace

Invocation parseCommandLine(const QStringList &arguments)
{
    QStringList args = arguments.mid(1);
    Invocation inv;
    bool simulateCommand = false;
    if (!args.isEmpty() && args.first() == QLatin1String("simulate")) {
        simulateCommand = true;
        args.removeFirst();
    }
    QString listen, dataDir, configPath, upstreamUrl, upstreamDialect = QStringLiteral("openai"),
                                                      upstreamKeyEnv = QStringLiteral("OPENAI_API_KEY");
    bool simulate = false;
    QList<QPair<QString, QString>> simulatorOptions;
    QStringList withValue = {"--listen", "--data-dir", "--config", "--upstream", "--upstream-dialect", "--upstream-key-env"};
    // Every simulator knob takes a value; the profile's own list keeps the two from drifting apart.
    for (const QString &knob : SimulatorProfile::optionNames())
        withValue.append(QStringLiteral("--") + knob);
    for (int i = 0; i < args.size(); ++i) {
        QString name = args.at(i);
        QString value;
        const qsizetype eq = name.indexOf(QLatin1Char('='));
        if (name.startsWith(QLatin1String("--")) && eq > 0) {
            value = name.mid(eq + 1);
            name = name.left(eq);
        } else if (withValue.contains(name)) {
            if (i + 1 >= args.size())
                return error(QStringLiteral("%1 needs a value (see tokenfuse --help)").arg(name));
            value = args.at(++i);
        }
        if (name == QLatin1String("--help") || name == QLatin1String("-h")) {
            inv.mode = Invocation::Mode::Help;
            inv.helpText = QString::fromUtf8(kHelp);
            return inv;
        }
        if (name == QLatin1String("--version")) {
            inv.mode = Invocation::Mode::Version;
            return inv;
        }
        if (name == QLatin1String("--headless"))
            inv.headless = true;
        else if (name == QLatin1String("--simulate"))
            simulate = true;
        else if (name == QLatin1String("--listen"))
            listen = value;
        else if (name == QLatin1String("--data-dir"))
            dataDir = value;
        else if (name == QLatin1String("--config"))
            configPath = value;
        else if (name == QLatin1String("--upstream"))
            upstreamUrl = value;
        else if (name == QLatin1String("--upstream-dialect"))
            upstreamDialect = value;
        else if (name == QLatin1String("--upstream-key-env"))
            upstreamKeyEnv = value;
        else if (withValue.contains(name))
            simulatorOptions.append({name, value});
        else
            return error(QStringLiteral("unknown option '%1' (see tokenfuse --help)").arg(args.at(i)));
    }

    // The config file first, then the command line over it.
    GatewayConfig config;
    const bool explicitConfig = !configPath.isEmpty();
    if (!explicitConfig)
        configPath = GatewayConfig::defaultConfigPath();
    if (!simulateCommand && (explicitConfig || QFileInfo::exists(configPath))) {
        QString why;
        std::optional<GatewayConfig> loaded = GatewayConfig::fromFile(configPath, &why);
        if (!loaded)
            return error(QStringLiteral("config: ") + why);
        config = *loaded;
    }
    // Watched even before it exists, and where the console's upstreams are written.
    if (!simulateCommand)
        config.configPath = QFileInfo(configPath).absoluteFilePath();
    if (simulateCommand) {
        config.listenPort = 9400;
        inv.mode = Invocation::Mode::Simulate;
        inv.headless = true;
    }
    if (!listen.isEmpty()) {
        QString why;
        if (!GatewayConfig::parseListen(listen, &config.listenHost, &config.listenPort, &why))
            return error(QStringLiteral("--listen: ") + why);
    }
    if (!dataDir.isEmpty())
        config.dataDir = dataDir;
    if (simulate)
        config.simulate = true;
    for (const auto &[name, value] : simulatorOptions) {
        QString why;
        if (!applySimulatorOption(config.simulator, name, value, &why))
            return error(QStringLiteral("%1: %2").arg(name, why));
    }
    if (!upstreamUrl.isEmpty()) {
        QJsonObject u{{"name", "upstream"}, {"base_url", upstreamUrl}, {"dialect", upstreamDialect}, {"api_key_env", upstreamKeyEnv}};
        QJsonObject wrapper{{"upstreams", QJsonArray{u}}};
        QString why;
        std::optional<GatewayConfig> parsed = GatewayConfig::fromJson(wrapper, &why);
        if (!parsed)
            return error(QStringLiteral("--upstream: ") + why);
        config.upstreams = parsed->upstreams;
        config.upstreamsFromCommandLine = true;
        config.warnings += parsed->warnings;
    }
    inv.config = config;
    return inv;
}

void resolveUpstreamSecrets(GatewayConfig &config)
{
    const QString dataDir = config.dataDir.isEmpty() ? GatewayConfig::defaultDataDir() : config.dataDir;
    config.resolveKeys(std::make_shared<KeychainSecretStore>(dataDir));
}
