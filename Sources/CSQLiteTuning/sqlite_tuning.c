#include <sqlite3.h>
#include "sqlite_tuning.h"

int servicemap_sqlite_tune(void) {
    int threading = sqlite3_config(SQLITE_CONFIG_MULTITHREAD);
    if (threading != SQLITE_OK) return threading;
    return sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}
