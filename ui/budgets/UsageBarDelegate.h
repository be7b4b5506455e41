#pragma once

#include <QStyledItemDelegate>

// Paints a cell's text with a bar under it: how full a budget is (the index's fraction role,
// 0..1 and beyond), green below the alert threshold, amber from it, red at the cap.
class UsageBarDelegate : public QStyledItemDelegate
{
    Q_OBJECT
public:
    UsageBarDelegate(int fractionRole, QObject *parent = nullptr);
    // The fraction from which the bar turns amber (the rule's alert_at); default 0.8.
    void setAlertRole(int role) { m_alertRole = role; }

    void paint(QPainter *painter, const QStyleOptionViewItem &option, const QModelIndex &index) const override;
    QSize sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const override;

private:
    int m_fractionRole;
    int m_alertRole = -1;
};
