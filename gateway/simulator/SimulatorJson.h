#pragma once

#include <QByteArray>
#include <QJsonValue>

// JSON text for the simulator's hand-built bodies. They are written by hand rather than through
// QJsonDocument so keys come out in the providers' own order and a stream chunk costs a few
// appends instead of a document build: the simulator must feed thousands of streams at once.
namespace SimulatorJson {
// A JSON string literal, quotes included, for UTF-8 text.
QByteArray string(const QByteArray &utf8);
// Any JSON value (a scalar too) as compact text, for echoing a request's own values back.
QByteArray compact(const QJsonValue &value);
}
