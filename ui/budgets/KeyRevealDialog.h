#pragma once

#include <QDialog>

// Shows a virtual key just created, the one time it can be seen: the key in a read-only field,
// a Copy button, and the warning that it won't be shown again.
class KeyRevealDialog : public QDialog
{
    Q_OBJECT
public:
    KeyRevealDialog(const QString &key, const QString &tenant, QWidget *parent = nullptr);
};
