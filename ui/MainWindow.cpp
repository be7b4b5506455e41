#include "MainWindow.h"
MainWindow::MainWindow(QWidget *parent) : QMainWindow(parent) {}
void MainWindow::applySnapshot(const GatewaySnapshot &) {}
