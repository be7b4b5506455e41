#pragma once

#include "ConnectSnippets.h"
#include "core/GatewaySnapshot.h"

#include <QHash>
#include <QWidget>

class AdminChannel;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;
class QTabWidget;

// The console's Connect page: ready snippets (curl, Python, Node, Claude Code, Codex CLI, other
// agents) carrying the gateway's real address, each with a Copy button. A virtual key can be
// created here for a tenant (POST /admin/v1/keys through the admin channel) or pasted; the
// snippets then carry it. A created key lives only in this page's memory, never on disk.
class ConnectPage : public QWidget
{
    Q_OBJECT
public:
    explicit ConnectPage(AdminChannel *admin, QWidget *parent = nullptr);

    // The text a snippet shows now (ConnectSnippets ids), empty for an unknown id.
    QString snippetText(const QString &id) const;

public Q_SLOTS:
    void applySnapshot(const GatewaySnapshot &snapshot);

private:
    QWidget *buildKeyPanel();
    QWidget *buildSnippet(const ConnectSnippets::Snippet &snippet);
    void createKey();
    void refresh();
    void updateKeyStatus();

    AdminChannel *m_admin = nullptr;
    QString m_listenAddress;
    QString m_createdKey;  // the key this page created, held in memory only, never written anywhere
    QString m_createdNote;
    QLabel *m_address = nullptr;
    QLineEdit *m_key = nullptr;
    QLineEdit *m_tenant = nullptr;
    QPushButton *m_create = nullptr;
    QLabel *m_keyStatus = nullptr;
    QLineEdit *m_session = nullptr;
    QTabWidget *m_tabs = nullptr;
    QHash<QString, QPlainTextEdit *> m_texts;
    QHash<QString, QLabel *> m_notes;
};
