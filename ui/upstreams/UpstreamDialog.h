#pragma once

#include "upstream/UpstreamView.h"

#include <QDialog>
#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QStringList>

class AdminChannel;
class QComboBox;
class QDialogButtonBox;
class QLabel;
class QLineEdit;
class QSpinBox;
struct AdminAnswer;

// Adds an upstream (from a preset of GET /admin/v1/upstream-presets, or by hand) or edits one.
// A preset fills the base URL, dialect, models and key variable. The key field is in password
// mode and its text goes only into the body submitted() carries (and is cleared when the dialog
// closes); left empty on an edit, the gateway keeps the key it has. OK does not close the dialog:
// the page sends the body and closes it once the gateway has taken it (accept()), or shows the
// gateway's refusal under the fields with showRefusal(), marking the field it names.
class UpstreamDialog : public QDialog
{
    Q_OBJECT
public:
    struct Preset
    {
        QString id;
        QString label;
        QString baseUrl;
        QString dialect;
        QString apiKeyEnv;
        QStringList models;
        bool needsKey = false;
        QString note;
    };
    // The presets of a GET /admin/v1/upstream-presets answer's body.
    static QList<Preset> parsePresets(const QJsonValue &body);

    // `existing` null: a new upstream. `admin` may be null (no presets then).
    UpstreamDialog(AdminChannel *admin, const UpstreamView *existing, QWidget *parent = nullptr);

    bool isEdit() const { return m_edit; }
    QString upstreamName() const;
    // The upstream as the config file and the admin API write it; "api_key" only when typed.
    QJsonObject body() const;
    void setPresets(const QList<Preset> &presets);
    // Picks a preset by id (as the combo does); false when there is none by that id.
    bool choosePreset(const QString &id);
    QString error() const;
    void showRefusal(const QString &message);

Q_SIGNALS:
    void submitted(const QJsonObject &body);

protected:
    void done(int result) override;

private:
    void applyPreset(int index);
    // An empty message when the form can be sent; the gateway checks the rest.
    QString check() const;
    void markField(const QString &message);

    bool m_edit = false;
    QList<Preset> m_presets;
    QString m_appliedPresetName; // the name a preset filled in, replaced by the next preset
    QComboBox *m_preset = nullptr;
    QLabel *m_presetNote = nullptr;
    QLineEdit *m_name = nullptr;
    QLineEdit *m_baseUrl = nullptr;
    QComboBox *m_dialect = nullptr;
    QLineEdit *m_models = nullptr;
    QSpinBox *m_priority = nullptr;
    QSpinBox *m_weight = nullptr;
    QSpinBox *m_maxConcurrency = nullptr;
    QLineEdit *m_keyEnv = nullptr;
    QLineEdit *m_key = nullptr;
    QLabel *m_error = nullptr;
    QDialogButtonBox *m_buttons = nullptr;
    QHash<QString, QWidget *> m_fieldOfKey; // "base_url" -> its editor, to mark what a 400 names
};
