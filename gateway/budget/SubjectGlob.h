#pragma once

#include <QStringView>

// Matches a tenant, session or model name against a rule's glob (* any run, ? one character),
// ignoring case. Without allocating: it runs for every rule on every request.
class SubjectGlob
{
public:
    static bool matches(QStringView pattern, QStringView text);
    static bool isGlob(QStringView pattern);
};
