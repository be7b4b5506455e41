#pragma once

#include <QString>

// Raises the open-file limit to the hard limit: at Debian's default of 1,024 a busy gateway's
// listening socket silently stops accepting. Returns the limit now in force.
qint64 raiseOpenFileLimit();
