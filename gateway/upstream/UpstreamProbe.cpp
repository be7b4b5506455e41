#include "UpstreamProbe.h"

#include "UpstreamCall.h"
#include "UpstreamClient.h"

#include <QElapsedTimer>
#include <QPointer>

#include <memory>

namespace {
QString failureText(UpstreamCall::Failure failure, const QString &message)
{
    switch (failure) {
    case UpstreamCall::Failure::ConnectTimeout:
    case UpstreamCall::Failure::FirstByteTimeout:
    case UpstreamCall::Failure::IdleTimeout:
    case UpstreamCall::Failure::TotalTimeout:
        return QStringLiteral("timed out: ") + message;
    default:
        return message;
    }
}
} // namespace

UpstreamProbe::Verdict UpstreamProbe::verdictFor(int status)
{
    if (status >= 200 && status < 300)
        return Verdict::Healthy;
    if (status == 400 || status == 404 || status == 405)
        return Verdict::Unsupported;
    return Verdict::Unhealthy;
}

void UpstreamProbe::run(UpstreamClient *client, const UpstreamConfig &upstream, QObject *context, std::function<void(const Outcome &)> done)
{
    const UpstreamHealthCheck &check = upstream.healthCheck;
    UpstreamRequest request;
    request.method = check.method;
    request.url = upstream.urlFor(check.path, QByteArray());
    request.body = check.body;
    if (!check.body.isEmpty())
        request.headers.add("content-type", "application/json");
    request.headers.add("accept", "application/json");
    if (!upstream.apiKey.isEmpty()) {
        if (upstream.dialect == ApiDialect::Anthropic)
            request.headers.add("x-api-key", upstream.apiKey.toUtf8());
        else
            request.headers.add("authorization", "Bearer " + upstream.apiKey.toUtf8());
    }
    if (upstream.dialect == ApiDialect::Anthropic)
        request.headers.add("anthropic-version", "2023-06-01");
    request.timeouts = {check.timeoutMs, check.timeoutMs, check.timeoutMs, check.timeoutMs};

    struct State
    {
        Outcome outcome;
        QElapsedTimer clock;
        bool reported = false;
    };
    auto state = std::make_shared<State>();
    state->outcome.result.upstream = upstream.name;
    state->outcome.result.model = QString::fromUtf8(check.method + ' ' + check.path);
    state->clock.start();
    if (!request.url.isValid()) {
        state->outcome.result.message = QStringLiteral("health_check.path %1 does not make a URL below %2")
                                            .arg(QString::fromUtf8(check.path), upstream.baseUrl.toString());
        done(state->outcome);
        return;
    }
    UpstreamCall *call = client->start(request);
    QPointer<QObject> alive(context);
    const auto report = [state, call, alive, done](const QString &failure) {
        if (state->reported)
            return;
        state->reported = true;
        UpstreamTestResult &r = state->outcome.result;
        r.latencyMs = state->clock.elapsed();
        if (failure.isEmpty()) {
            state->outcome.verdict = verdictFor(r.status);
            r.ok = state->outcome.verdict == Verdict::Healthy;
            r.message = r.ok ? QStringLiteral("%1 in %2 ms").arg(r.status).arg(r.latencyMs)
                             : QStringLiteral("answered %1 in %2 ms").arg(r.status).arg(r.latencyMs);
        } else {
            state->outcome.verdict = Verdict::Unhealthy;
            r.message = failure;
        }
        call->abort();
        call->deleteLater();
        if (alive)
            done(state->outcome);
    };
    QObject::connect(call, &UpstreamCall::responseStarted, call, [state, report](int status, const HttpHeaders &) {
        state->outcome.result.status = status;
        // The head says it all; the body (a model list) is not needed.
        report(QString());
    });
    QObject::connect(call, &UpstreamCall::failed, call, [report](UpstreamCall::Failure failure, const QString &message) {
        report(failureText(failure, message));
    });
    QObject::connect(call, &UpstreamCall::finished, call, [report] { report(QString()); });
}
