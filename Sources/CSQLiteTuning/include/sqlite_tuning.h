#ifndef SERVICEMAP_SQLITE_TUNING_H
#define SERVICEMAP_SQLITE_TUNING_H

/// Sets SQLite's process-wide options before its first connection opens (sqlite3_config is a C
/// variadic function, which Swift cannot call): no per-call connection mutexes, since every
/// connection is used by one thread at a time (GRDB serialises access to each), and no global
/// memory statistics, whose mutex every allocation took. Returns 0 when applied, or SQLite's
/// error when SQLite was already initialised (the options then stay as they were).
int servicemap_sqlite_tune(void);

#endif
