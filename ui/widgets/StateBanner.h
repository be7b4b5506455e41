#pragma once

#include <QFrame>

class QLabel;
class QPushButton;

// A full-width notice across the top of the console, tinted by how much it matters. It says
// something about the gateway as a whole that a user must not miss (the simulator answering
// every model, for one).
class StateBanner : public QFrame
{
    Q_OBJECT
public:
    enum class Kind { Info, Warning, Error };

    explicit StateBanner(QWidget *parent = nullptr);

    void setMessage(Kind kind, const QString &text);
    Kind kind() const { return m_kind; }
    QString text() const;
    // A button at the banner's right end, for the one thing to do about the notice (the banner
    // owns it; connect to its clicked()).
    QPushButton *addButton(const QString &text);

protected:
    void paintEvent(QPaintEvent *event) override;

private:
    QColor accent() const;

    Kind m_kind = Kind::Info;
    QLabel *m_text = nullptr;
};
