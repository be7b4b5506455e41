#pragma once

#include "CardFrame.h"

#include <QStringList>

class QLabel;
class QListWidget;

// The providers the gateway routes to, in routing order; or, with none configured, the built-in
// simulator that answers instead. (Breaker state per upstream comes with the admin API.)
class UpstreamList : public CardFrame
{
    Q_OBJECT
public:
    explicit UpstreamList(QWidget *parent = nullptr);

    void setUpstreams(const QStringList &names, bool simulatorOnly);

private:
    QLabel *m_hint = nullptr;
    QListWidget *m_list = nullptr;
    QStringList m_names;
    bool m_simulatorOnly = false;
    bool m_initialised = false;
};
