#pragma once

#include "budget/BudgetRule.h"
#include "core/GatewaySnapshot.h"

#include <QJsonArray>
#include <QPointer>
#include <QWidget>

class AdminChannel;
class BudgetRuleDialog;
class BudgetRulesModel;
class QLabel;
class QPushButton;
class QTabWidget;
class QTableView;
class QTreeWidget;
class RateLimitsModel;
class VirtualKeysModel;

// The console's Budgets page: the budget rules with each one's usage against its caps, the rate
// limits and the virtual keys, each in a tab with Add / Edit / Delete (double-click edits, Delete
// deletes after asking). Every change goes through the AdminChannel as the admin API's own PUT or
// POST, so it is validated, audited and stored as one made with curl would be; the page says
// where the rules were stored (the store, or the config file they came from).
class BudgetsPage : public QWidget
{
    Q_OBJECT
public:
    explicit BudgetsPage(AdminChannel *admin, QWidget *parent = nullptr);

    // The currency a new budget's cost cap starts in.
    void setCurrency(const QString &currencyCode);
    // Delete and Revoke ask first (a QMessageBox question) unless this is off.
    void setConfirmDeletes(bool confirm) { m_confirm = confirm; }

    // Opens the Add budget dialog prefilled for one tenant or session (window day): what the
    // Sessions page's "Set cap for this session" calls.
    void addRuleFor(BudgetScope scope, const QString &match);

    BudgetRulesModel *budgetsModel() const { return m_budgets; }
    RateLimitsModel *rateLimitsModel() const { return m_rateLimits; }
    VirtualKeysModel *keysModel() const { return m_keys; }

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;
    void changeEvent(QEvent *event) override;
    void showEvent(QShowEvent *event) override;

public Q_SLOTS:
    void applySnapshot(const GatewaySnapshot &snapshot);
    // Asks the gateway for the rate limits and the keys (they are not in snapshots): call once
    // the gateway has started; the page also does each time it is shown and after each change.
    void refresh();

Q_SIGNALS:
    // A change the gateway took, for a status line: "Budgets saved in the store."
    void changed(const QString &message);

private:
    QWidget *buildBudgetsTab();
    QWidget *buildRateLimitsTab();
    QWidget *buildKeysTab();
    QTableView *makeTable(const QString &objectName);

    void editBudget(qsizetype position, const BudgetRule *prefill = nullptr);
    void deleteBudget();
    void putBudgets(const QJsonArray &rules, QPointer<BudgetRuleDialog> dialog);
    void updateSubjects();
    void editRateLimit(qsizetype position);
    void deleteRateLimit();
    void putRateLimits(const QJsonArray &rules, const std::function<void(const QString &refusal)> &done);
    void createKey();
    void revokeKey();
    int selectedRow(QTableView *table) const;
    bool confirm(const QString &title, const QString &text);
    void showStatus(const QString &text, bool error);
    void recolourMuted();
    void clearError();

    AdminChannel *m_admin;
    BudgetRulesModel *m_budgets;
    RateLimitsModel *m_rateLimits;
    VirtualKeysModel *m_keys;
    QTabWidget *m_tabs = nullptr;
    QTableView *m_budgetTable = nullptr;
    QTreeWidget *m_subjects = nullptr;
    QTableView *m_rateTable = nullptr;
    QTableView *m_keyTable = nullptr;
    QLabel *m_budgetsSource = nullptr;
    QLabel *m_rateSource = nullptr;
    QLabel *m_status = nullptr;
    QPushButton *m_editBudget = nullptr;
    QPushButton *m_deleteBudget = nullptr;
    QPushButton *m_editRate = nullptr;
    QPushButton *m_deleteRate = nullptr;
    QPushButton *m_revokeKey = nullptr;
    QList<QWidget *> m_muted; // captions in the muted colour, re-derived when the palette changes
    QString m_currency = QStringLiteral("USD");
    qint64 m_nowMs = 0;
    bool m_confirm = true;
    bool m_statusIsError = false;
};
