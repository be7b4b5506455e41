#pragma once

#include <QString>

// Who a request is for, as budget and rate-limit rules see it: each rule looks at the one field
// its scope names (global rules look at none).
struct BudgetSubject
{
    QString tenant;
    QString session;
    QString model;
};
