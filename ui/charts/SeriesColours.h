#pragma once

#include <QColor>
#include <QHash>
#include <QString>

// Stable colours for series keys that come and go (models, tenants): a key keeps the colour it
// was first given for the life of the console, so "gpt-4o" stays the same blue when it drops out
// of the top few and comes back. "other" is always grey.
class SeriesColours
{
public:
    QColor colour(const QString &key);
    static QColor otherColour();
    static QString otherKey() { return QStringLiteral("other"); }

private:
    QHash<QString, int> m_index;
};
