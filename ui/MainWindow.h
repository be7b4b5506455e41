#pragma once
#include "core/GatewaySnapshot.h"
#include <QMainWindow>
class MainWindow : public QMainWindow
{
    Q_OBJECT
public:
    explicit MainWindow(QWidget *parent = nullptr);
public Q_SLOTS:
    void applySnapshot(const GatewaySnapshot &snapshot);
};
