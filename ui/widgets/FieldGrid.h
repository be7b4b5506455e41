#pragma once

#include <QHash>
#include <QWidget>

class QGridLayout;
class QLabel;

// The fields of a details pane: a muted caption over each selectable, wrapping value, laid out on
// a grid (a field takes two grid rows: caption, value). A field with no text hides with its
// caption. Each value is told its height at the width it gets, since the panes' parents don't ask
// for height-for-width and a wrapped label would otherwise get one line.
class FieldGrid : public QWidget
{
    Q_OBJECT
public:
    // Values are named `<objectNamePrefix><key>` for tests and accessibility.
    explicit FieldGrid(const QString &objectNamePrefix, QWidget *parent = nullptr);

    QGridLayout *grid() const { return m_grid; }
    void addField(const QString &key, const QString &caption, int row, int column, int span = 1);
    void setField(const QString &key, const QString &text);
    // After the texts changed: each value's height at its width (resizes do it by themselves).
    void fitHeights();

protected:
    void resizeEvent(QResizeEvent *event) override;

private:
    QString m_prefix;
    QGridLayout *m_grid;
    QHash<QString, QLabel *> m_values;
    QHash<QString, QLabel *> m_captions;
};
