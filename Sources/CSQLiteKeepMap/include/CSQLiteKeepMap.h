#ifndef SERVICEDESK_CSQLITEKEEPMAP_H
#define SERVICEDESK_CSQLITEKEEPMAP_H

/// Registers, once, a thin layer over SQLite's default VFS as the process's default: every file
/// opened after it behaves as before, except that a connection which maps the database file
/// (`PRAGMA mmap_size`) keeps its mapping when another connection commits, as long as the file's
/// size is unchanged, and each frame of a write-ahead log reaches the file in one write instead of
/// two (see keepmap.c). Returns SQLITE_OK or SQLite's error code. Safe to call
/// from several threads; only the first call registers. The first call also turns SQLite's memory
/// statistics off when SQLite has not started yet in the process (a mutex on every allocation).
int desk_keepmap_register(void);

typedef struct sqlite3 sqlite3;

/// The writes of the connection's write-ahead log that reached the file since it was opened, and
/// how many of them were a whole frame (its header and its page, which SQLite asks for as two:
/// keepmap.c). SQLITE_NOTFOUND when the connection has no log opened through this layer.
int desk_keepmap_log_counts(sqlite3 *db, long long *writes, long long *framesJoined);

#endif
