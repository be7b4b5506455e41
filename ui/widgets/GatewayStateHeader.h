#pragma once

#include "core/GatewaySnapshot.h"

#include <QWidget>

class ElidedLabel;
class QLabel;
class QPushButton;

// The top line of the console: the product's name, whether the gateway is running and where
// SDKs should point, with a button that puts that base URL on the clipboard.
class GatewayStateHeader : public QWidget
{
    Q_OBJECT
public:
    explicit GatewayStateHeader(QWidget *parent = nullptr);

    void setState(GatewaySnapshot::State state, const QString &listenAddress, const QString &error);
    QString baseUrl() const { return m_baseUrl; }

signals:
    void baseUrlCopied(const QString &baseUrl);

private:
    void copyBaseUrl();
    void setDotColor(const QColor &color);

    QLabel *m_dot = nullptr;
    ElidedLabel *m_state = nullptr;
    QPushButton *m_copy = nullptr;
    QString m_baseUrl;
    QString m_shownText;
};
