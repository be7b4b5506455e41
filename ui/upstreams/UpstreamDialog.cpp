#include "UpstreamDialog.h"

#include "ConsolePalette.h"
#include "admin/AdminCall.h"
#include "admin/AdminChannel.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <algorithm>
#include <QFormLayout>
#include <QJsonArray>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QRegularExpression>
#include <QSpinBox>
#include <QUrl>
#include <QVBoxLayout>

namespace {
QStringList splitModels(const QString &text)
{
    QStringList models;
    for (const QString &part : text.split(QRegularExpression(QStringLiteral("[,\\s]+")), Qt::SkipEmptyParts))
        models << part;
    return models;
}

// The order the admin API's messages name the fields in: the longest first, so "api_key_env"
// is not taken for "api_key".
const QStringList FieldKeys{QStringLiteral("max_concurrency"), QStringLiteral("api_key_env"), QStringLiteral("base_url"),
                            QStringLiteral("api_key"), QStringLiteral("dialect"), QStringLiteral("priority"),
                            QStringLiteral("weight"), QStringLiteral("models"), QStringLiteral("preset"), QStringLiteral("name")};
} // namespace

QList<UpstreamDialog::Preset> UpstreamDialog::parsePresets(const QJsonValue &body)
{
    QList<Preset> presets;
    for (const QJsonValue &value : body.toObject().value(QLatin1String("presets")).toArray()) {
        const QJsonObject o = value.toObject();
        Preset p;
        p.id = o.value(QLatin1String("id")).toString();
        if (p.id.isEmpty())
            continue;
        p.label = o.value(QLatin1String("label")).toString(p.id);
        p.baseUrl = o.value(QLatin1String("base_url")).toString();
        p.dialect = o.value(QLatin1String("dialect")).toString(QStringLiteral("openai"));
        p.apiKeyEnv = o.value(QLatin1String("api_key_env")).toString();
        for (const QJsonValue &m : o.value(QLatin1String("models")).toArray())
            p.models << m.toString();
        p.needsKey = o.value(QLatin1String("needs_key")).toBool();
        p.note = o.value(QLatin1String("note")).toString();
        presets << p;
    }
    return presets;
}

UpstreamDialog::UpstreamDialog(AdminChannel *admin, const UpstreamView *existing, QWidget *parent)
    : QDialog(parent)
    , m_edit(existing != nullptr)
{
    setObjectName(QStringLiteral("upstreamDialog"));
    setWindowTitle(m_edit ? tr("Edit upstream %1").arg(existing->name) : tr("Add an upstream"));

    m_preset = new QComboBox(this);
    m_preset->setObjectName(QStringLiteral("upstreamPresetCombo"));
    m_preset->addItem(tr("Custom (fill in by hand)"), QString());
    m_presetNote = new QLabel(this);
    m_presetNote->setObjectName(QStringLiteral("upstreamPresetNote"));
    m_presetNote->setWordWrap(true);
    ConsolePalette::makeMuted(m_presetNote);
    m_presetNote->setVisible(false);

    m_name = new QLineEdit(this);
    m_name->setObjectName(QStringLiteral("upstreamNameEdit"));
    m_name->setPlaceholderText(tr("deepseek"));
    m_baseUrl = new QLineEdit(this);
    m_baseUrl->setObjectName(QStringLiteral("upstreamBaseUrlEdit"));
    m_baseUrl->setPlaceholderText(QStringLiteral("https://api.example.com/v1"));
    m_dialect = new QComboBox(this);
    m_dialect->setObjectName(QStringLiteral("upstreamDialectCombo"));
    m_dialect->addItem(tr("OpenAI"), QStringLiteral("openai"));
    m_dialect->addItem(tr("Anthropic"), QStringLiteral("anthropic"));
    m_models = new QLineEdit(this);
    m_models->setObjectName(QStringLiteral("upstreamModelsEdit"));
    m_models->setPlaceholderText(tr("deepseek-*, my-model (empty: every model)"));
    m_priority = new QSpinBox(this);
    m_priority->setObjectName(QStringLiteral("upstreamPrioritySpin"));
    m_priority->setRange(0, 1000);
    m_priority->setToolTip(tr("Lower goes first; equal priorities share by weight"));
    m_weight = new QSpinBox(this);
    m_weight->setObjectName(QStringLiteral("upstreamWeightSpin"));
    m_weight->setRange(1, 1000);
    m_maxConcurrency = new QSpinBox(this);
    m_maxConcurrency->setObjectName(QStringLiteral("upstreamMaxConcurrencySpin"));
    m_maxConcurrency->setRange(0, 10000);
    m_maxConcurrency->setSpecialValueText(tr("no limit"));
    m_keyEnv = new QLineEdit(this);
    m_keyEnv->setObjectName(QStringLiteral("upstreamKeyEnvEdit"));
    m_keyEnv->setPlaceholderText(QStringLiteral("DEEPSEEK_API_KEY"));
    m_key = new QLineEdit(this);
    m_key->setObjectName(QStringLiteral("upstreamKeyEdit"));
    m_key->setEchoMode(QLineEdit::Password);
    m_key->setInputMethodHints(Qt::ImhHiddenText | Qt::ImhNoPredictiveText | Qt::ImhNoAutoUppercase);
    m_key->setPlaceholderText(m_edit && !existing->keyHint.isEmpty()
                                  ? tr("empty: keep the current key (%1)").arg(existing->keyHint)
                                  : tr("paste a key, or name a variable above"));
    m_key->setToolTip(tr("Kept in the system's secret store, never shown again"));

    m_fieldOfKey = {{QStringLiteral("name"), m_name},           {QStringLiteral("preset"), m_preset},
                    {QStringLiteral("base_url"), m_baseUrl},    {QStringLiteral("dialect"), m_dialect},
                    {QStringLiteral("models"), m_models},       {QStringLiteral("priority"), m_priority},
                    {QStringLiteral("weight"), m_weight},       {QStringLiteral("max_concurrency"), m_maxConcurrency},
                    {QStringLiteral("api_key_env"), m_keyEnv},  {QStringLiteral("api_key"), m_key}};

    auto *form = new QFormLayout;
    form->addRow(tr("Preset"), m_preset);
    form->addRow(QString(), m_presetNote);
    form->addRow(tr("Name"), m_name);
    form->addRow(tr("Base URL"), m_baseUrl);
    form->addRow(tr("Dialect"), m_dialect);
    form->addRow(tr("Models"), m_models);
    form->addRow(tr("Priority"), m_priority);
    form->addRow(tr("Weight"), m_weight);
    form->addRow(tr("Max concurrency"), m_maxConcurrency);
    form->addRow(tr("Key variable"), m_keyEnv);
    form->addRow(tr("API key"), m_key);

    m_error = new QLabel(this);
    m_error->setObjectName(QStringLiteral("upstreamDialogError"));
    m_error->setWordWrap(true);
    m_error->setTextInteractionFlags(Qt::TextSelectableByMouse);
    QPalette errorPalette = m_error->palette();
    errorPalette.setColor(QPalette::WindowText, ConsolePalette::readableOn(ConsolePalette::failure(), palette().color(QPalette::Window)));
    m_error->setPalette(errorPalette);
    m_error->setVisible(false);

    m_buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    m_buttons->button(QDialogButtonBox::Ok)->setText(m_edit ? tr("Save") : tr("Add"));
    m_buttons->button(QDialogButtonBox::Ok)->setObjectName(QStringLiteral("upstreamDialogOk"));
    connect(m_buttons, &QDialogButtonBox::accepted, this, [this] {
        const QString problem = check();
        if (!problem.isEmpty())
            return showRefusal(problem);
        m_error->clear();
        m_error->setVisible(false);
        Q_EMIT submitted(body());
    });
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(m_error);
    layout->addWidget(m_buttons);
    setMinimumWidth(460);

    if (m_edit) {
        m_name->setText(existing->name);
        m_name->setReadOnly(true);
        m_baseUrl->setText(existing->baseUrl);
        m_dialect->setCurrentIndex(qMax(0, m_dialect->findData(existing->dialect)));
        m_models->setText(existing->models.join(QStringLiteral(", ")));
        m_priority->setValue(existing->priority);
        m_weight->setValue(existing->weight);
        m_maxConcurrency->setValue(existing->configuredLimit);
        if (existing->keySource.startsWith(QLatin1String("env:")))
            m_keyEnv->setText(existing->keySource.mid(4));
        if (!existing->preset.isEmpty())
            m_preset->addItem(existing->preset, existing->preset);
        m_preset->setCurrentIndex(m_preset->count() - 1);
    }
    connect(m_preset, &QComboBox::activated, this, &UpstreamDialog::applyPreset);

    if (admin) {
        m_preset->setEnabled(false);
        admin->call(AdminCall::get("/admin/v1/upstream-presets"), this, [this](const AdminAnswer &a) {
            m_preset->setEnabled(true);
            if (!a.ok()) {
                m_presetNote->setText(tr("The presets could not be read (%1); fill in the fields by hand.")
                                          .arg(a.errorMessage().isEmpty() ? QString::number(a.status) : a.errorMessage()));
                m_presetNote->setVisible(true);
                return;
            }
            setPresets(parsePresets(a.body));
        });
    }
}

void UpstreamDialog::setPresets(const QList<Preset> &presets)
{
    const QString current = m_preset->currentData().toString();
    m_presets = presets;
    while (m_preset->count() > 1)
        m_preset->removeItem(1);
    for (const Preset &p : presets)
        m_preset->addItem(p.label, p.id);
    // An edited upstream keeps showing its preset, listed or not.
    if (!current.isEmpty() && m_preset->findData(current) < 0)
        m_preset->addItem(current, current);
    m_preset->setCurrentIndex(qMax(0, m_preset->findData(current)));
}

bool UpstreamDialog::choosePreset(const QString &id)
{
    const int index = m_preset->findData(id);
    if (index < 0)
        return false;
    m_preset->setCurrentIndex(index);
    applyPreset(index);
    return true;
}

void UpstreamDialog::applyPreset(int index)
{
    const QString id = m_preset->itemData(index).toString();
    const auto it = std::find_if(m_presets.cbegin(), m_presets.cend(), [&](const Preset &p) { return p.id == id; });
    if (it == m_presets.cend()) {
        m_presetNote->setVisible(false);
        return;
    }
    m_baseUrl->setText(it->baseUrl);
    m_dialect->setCurrentIndex(qMax(0, m_dialect->findData(it->dialect)));
    m_models->setText(it->models.join(QStringLiteral(", ")));
    m_keyEnv->setText(it->apiKeyEnv);
    // The name follows the preset until the user types one of their own.
    if (!m_edit && (m_name->text().isEmpty() || m_name->text() == m_appliedPresetName)) {
        m_name->setText(it->id);
        m_appliedPresetName = it->id;
    }
    QString note = it->note;
    if (it->needsKey && m_key->text().isEmpty())
        note += (note.isEmpty() ? QString() : QStringLiteral(" ")) + tr("Needs an API key: paste it below or set %1.").arg(it->apiKeyEnv);
    m_presetNote->setText(note);
    m_presetNote->setVisible(!note.isEmpty());
}

QString UpstreamDialog::upstreamName() const
{
    return m_name->text().trimmed();
}

QJsonObject UpstreamDialog::body() const
{
    QJsonObject o{{"name", upstreamName()},
                  {"base_url", m_baseUrl->text().trimmed()},
                  {"dialect", m_dialect->currentData().toString()},
                  {"models", QJsonArray::fromStringList(splitModels(m_models->text()))},
                  {"priority", m_priority->value()},
                  {"weight", m_weight->value()}};
    if (!m_preset->currentData().toString().isEmpty())
        o.insert(QStringLiteral("preset"), m_preset->currentData().toString());
    if (m_maxConcurrency->value() > 0)
        o.insert(QStringLiteral("max_concurrency"), m_maxConcurrency->value());
    if (!m_keyEnv->text().trimmed().isEmpty())
        o.insert(QStringLiteral("api_key_env"), m_keyEnv->text().trimmed());
    if (!m_key->text().isEmpty())
        o.insert(QStringLiteral("api_key"), m_key->text().trimmed());
    return o;
}

QString UpstreamDialog::check() const
{
    if (upstreamName().isEmpty())
        return tr("name: give the upstream a name");
    const QUrl url(m_baseUrl->text().trimmed());
    if (!url.isValid() || (url.scheme() != QLatin1String("http") && url.scheme() != QLatin1String("https")) || url.host().isEmpty())
        return tr("base_url: an http:// or https:// address, such as https://api.deepseek.com/v1");
    return {};
}

QString UpstreamDialog::error() const
{
    return m_error->isVisibleTo(this) ? m_error->text() : QString();
}

void UpstreamDialog::showRefusal(const QString &message)
{
    m_error->setText(message);
    m_error->setVisible(true);
    markField(message);
}

void UpstreamDialog::markField(const QString &message)
{
    // The field the message names gets the focus, so the user lands where to fix it.
    for (const QString &key : FieldKeys) {
        if (message.contains(key)) {
            if (QWidget *field = m_fieldOfKey.value(key)) {
                field->setFocus(Qt::OtherFocusReason);
                if (auto *edit = qobject_cast<QLineEdit *>(field))
                    edit->selectAll();
            }
            return;
        }
    }
}

void UpstreamDialog::done(int result)
{
    // The pasted key lives no longer than the dialog's answer needs it.
    m_key->clear();
    QDialog::done(result);
}
