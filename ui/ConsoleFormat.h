#pragma once

#include <QString>

// Turns the gateway's raw numbers into the short texts the console shows. Pure functions, no
// widgets: every rule here is pinned down by tst_ConsoleFormat. The console speaks English and
// groups thousands with "," whatever the system locale, so figures read the same in screenshots,
// docs and bug reports.
namespace ConsoleFormat {

// Integer micro-units of a currency as text: "$1,234.56", "$0.50", "$0.0012", "€3.10", "12.00 CHF".
// Amounts of one unit or more get two decimals; smaller ones get two significant digits (at least
// two decimals, at most six), so a cheap request never shows as "$0.00".
QString money(qint64 micros, const QString &currencyCode);

// A count with thousands grouped: "12,345".
QString count(qint64 value);

// A token count, compact: "950", "1.2k", "34k", "3.4M", "1.2B".
QString tokens(qint64 value);

// A rate per second with its unit: "0 req/s", "<0.1 req/s", "3.2 req/s", "48 tok/s", "1.2k tok/s".
QString rate(double perSecond, const QString &unit);

// A duration: "—" when unknown (negative), "850 ms", "1.25 s", "12.3 s", "4m 05s", "2h 03m", "3d 04h".
QString duration(qint64 milliseconds);

// A percentage of a whole, one decimal: "0 %", "<0.1 %", "2.5 %", "100 %".
QString percent(qint64 part, qint64 whole);

// A moment (ms since the Unix epoch) as local clock time: "09:05:07" on the day of `nowMs`,
// "2026-11-30 23:59:59" on any other day, "—" when unknown (0 or negative).
QString clockTime(qint64 ms, qint64 nowMs);

// The base URL SDKs take, from the gateway's listen address "HOST:PORT". A wildcard host is
// replaced by the loopback address, because that is what a client on this machine must dial.
QString baseUrl(const QString &listenAddress);

} // namespace ConsoleFormat
