#include "UpstreamPreset.h"

#include <QJsonArray>

namespace {
// A server on this machine answers at once or not at all: its probe gives up sooner.
UpstreamHealthCheck localHealthCheck()
{
    UpstreamHealthCheck h;
    h.timeoutMs = 2'000;
    return h;
}

QList<UpstreamPreset> makePresets()
{
    const auto remote = [](QString id, QString label, QString base, ApiDialect dialect, QString env, QStringList models, QString note) {
        UpstreamPreset p;
        p.id = std::move(id);
        p.label = std::move(label);
        p.baseUrl = QUrl(base);
        p.dialect = dialect;
        p.apiKeyEnv = std::move(env);
        p.models = std::move(models);
        p.note = std::move(note);
        return p;
    };
    const auto local = [](QString id, QString label, QString base, QString note) {
        UpstreamPreset p;
        p.id = std::move(id);
        p.label = std::move(label);
        p.baseUrl = QUrl(base);
        p.needsKey = false;
        p.note = std::move(note);
        p.healthCheck = localHealthCheck();
        return p;
    };
    const ApiDialect openai = ApiDialect::OpenAi;
    // Base URLs as each provider documents them for OpenAI-compatible clients.
    return {
        remote("openai", "OpenAI", "https://api.openai.com/v1", openai, "OPENAI_API_KEY",
               {"gpt-*", "o1*", "o3*", "o4*", "chatgpt-*"}, "OpenAI's own API."),
        remote("anthropic", "Anthropic", "https://api.anthropic.com", ApiDialect::Anthropic, "ANTHROPIC_API_KEY",
               {"claude-*"}, "Anthropic's Messages API (/v1/messages), for Claude Code and Anthropic SDKs."),
        remote("deepseek", "DeepSeek", "https://api.deepseek.com/v1", openai, "DEEPSEEK_API_KEY",
               {"deepseek-*"}, "deepseek-chat and deepseek-reasoner."),
        remote("qwen", "Qwen (Alibaba Cloud DashScope)", "https://dashscope.aliyuncs.com/compatible-mode/v1", openai, "DASHSCOPE_API_KEY",
               {"qwen-*", "qwq-*"}, "Mainland China endpoint; international accounts use dashscope-intl.aliyuncs.com."),
        remote("moonshot", "Moonshot AI (Kimi)", "https://api.moonshot.cn/v1", openai, "MOONSHOT_API_KEY",
               {"moonshot-*", "kimi-*"}, "Mainland China endpoint; international accounts use api.moonshot.ai."),
        remote("zhipu", "Zhipu AI (GLM)", "https://open.bigmodel.cn/api/paas/v4", openai, "ZHIPUAI_API_KEY",
               {"glm-*"}, "Its base URL ends in /v4, not /v1; international accounts use api.z.ai/api/paas/v4."),
        remote("openrouter", "OpenRouter", "https://openrouter.ai/api/v1", openai, "OPENROUTER_API_KEY",
               {"*/*"}, "Models named provider/model, e.g. anthropic/claude-sonnet-4."),
        remote("groq", "Groq", "https://api.groq.com/openai/v1", openai, "GROQ_API_KEY",
               {"llama-*", "llama3-*", "meta-llama/*", "openai/gpt-oss-*", "qwen/*", "moonshotai/*", "gemma*", "mixtral-*", "deepseek-r1-distill-*"},
               "Open models on Groq's hardware."),
        local("ollama", "Ollama", "http://127.0.0.1:11434/v1",
              "A local server without a key; it serves every model unless models or a priority says otherwise."),
        local("vllm", "vLLM", "http://127.0.0.1:8000/v1",
              "A local server without a key (unless started with --api-key); it serves every model unless models says otherwise."),
        local("lmstudio", "LM Studio", "http://127.0.0.1:1234/v1",
              "LM Studio's local server without a key; it serves every model unless models says otherwise."),
    };
}
} // namespace

const QList<UpstreamPreset> &UpstreamPreset::all()
{
    static const QList<UpstreamPreset> presets = makePresets();
    return presets;
}

const UpstreamPreset *UpstreamPreset::find(const QString &id)
{
    for (const UpstreamPreset &p : all())
        if (p.id.compare(id, Qt::CaseInsensitive) == 0)
            return &p;
    return nullptr;
}

QStringList UpstreamPreset::ids()
{
    QStringList out;
    for (const UpstreamPreset &p : all())
        out << p.id;
    return out;
}

QJsonObject UpstreamPreset::catalogJson()
{
    QJsonArray presets;
    for (const UpstreamPreset &p : all()) {
        presets.append(QJsonObject{{"id", p.id},
                                   {"label", p.label},
                                   {"base_url", p.baseUrl.toString()},
                                   {"dialect", dialectName(p.dialect)},
                                   {"api_key_env", p.apiKeyEnv},
                                   {"models", QJsonArray::fromStringList(p.models)},
                                   {"needs_key", p.needsKey},
                                   {"note", p.note}});
    }
    return QJsonObject{{"presets", presets}};
}
