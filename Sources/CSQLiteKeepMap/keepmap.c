// A connection that maps the database file keeps its mapping across other connections' commits.
//
// SQLite, in WAL mode, starts each read transaction by asking whether the database changed since
// the connection's last one; if it did, the pager drops its page cache and unmaps the whole file
// (pagerBeginReadTransaction: `sqlite3OsUnfetch(fd, 0, 0)`), so the next read maps it again and
// faults in every page it touches. With one write before each report, a report over a million
// tickets paid ~30,000 page faults (~120 ms) for pages still in the kernel's page cache
// (docs/benchmarks.md). The mapping is MAP_SHARED and read-only: the kernel keeps it coherent
// with the writer's `write`s, so nothing in it goes stale — SQLite unmaps to follow the file's
// size. This layer passes every call to the default VFS, except that request, which it skips
// while the file's size is the one it had when the mapping was made:
//
// - the file grew: the real unmap runs, and the next read maps the new size (a page beyond an
//   old mapping would be read with `pread` anyway — SQLite checks each fetch against the size it
//   mapped);
// - the file shrank (VACUUM, then a checkpoint): the real unmap runs, so no page past the end of
//   the file is ever touched. A shrink between two read transactions that SQLite does not see as
//   a change (a checkpoint alone) is no different from SQLite's own behaviour: the mapping stays
//   either way, and a read transaction fetches only pages of its own snapshot, which a
//   checkpoint never truncates away while it reads.
//
// The same layer joins each frame of the write-ahead log into one write. SQLite writes a frame as
// two: its 24-byte header, then the page right after it (wal.c, walWriteOneFrame) — two `pwrite`
// calls per page a commit changed (some 110 pages a batch of 26 intakes), made by the single writer
// while every write of the batch waits. On a file opened as a WAL, a 24-byte write is held and
// written together with the write that follows it at the next byte; any other call on the file
// first writes what is held, so every call sees the file as SQLite wrote it, byte for byte and in
// the same order. The page's write returns the result of the one joined write; a header written
// alone (no page followed it) returns its error from the call that wrote it.
//
// Only a file in WAL mode keeps its mapping (its shared memory was asked for); in rollback-journal
// mode every request goes through. Connections that do not map (the writer; `mmap_size = 0`)
// never fetch, so nothing changes for them. Each sqlite3_file is used by one connection, on one
// thread at a time.

#include "CSQLiteKeepMap.h"

#include <pthread.h>
#include <sqlite3.h>
#include <string.h>

/// The size of a WAL frame's header (wal.c, WAL_FRAME_HDRSIZE).
#define FRAME_HEADER 24

typedef struct {
    sqlite3_file base;
    /// The file's size when the current mapping was made; -1 when there is none.
    sqlite3_int64 mappedSize;
    /// Whether the WAL's shared memory was asked of this file: only a database in WAL mode keeps
    /// its mapping (in rollback-journal mode a file truncated and grown back to the same size by
    /// another process is a change SQLite must see by unmapping — pagerSharedLock says so).
    int inWALMode;
    /// Opened as a write-ahead log (SQLITE_OPEN_WAL): its frames' two writes are joined.
    int isLog;
    /// A frame header written by SQLite and not yet by this layer: `heldAmount` bytes (0: none)
    /// for `heldOffset`.
    int heldAmount;
    sqlite3_int64 heldOffset;
    unsigned char held[FRAME_HEADER];
    /// Where a header and its page are put together (sqlite3_malloc, grown to the largest page).
    unsigned char *joined;
    int joinedCapacity;
    /// The writes that reached the file, and how many of them carried a whole frame.
    long long writes;
    long long framesJoined;
    // The default VFS's file follows, szOsFile bytes.
} KeepMapFile;

#define REAL(file) ((sqlite3_file *)(((KeepMapFile *)(file)) + 1))
#define METHODS(file) (REAL(file)->pMethods)
// Whether the file underneath has the WAL's shared memory and memory-mapped fetches (version 3
// with xShmMap: not, for instance, the no-locking methods some platforms choose for read-only
// mounts, whose method table can also be swapped after the open).
#define HAS_SHM(file) (METHODS(file)->iVersion >= 2 && METHODS(file)->xShmMap != NULL)
#define HAS_FETCH(file) (METHODS(file)->iVersion >= 3 && METHODS(file)->xFetch != NULL)

static sqlite3_vfs *defaultVFS;
static sqlite3_vfs keepMapVFS;
// [with the WAL's shared memory or without][version - 1]: the same methods as the file underneath.
static sqlite3_io_methods keepMapMethods[2][3];
static pthread_once_t once = PTHREAD_ONCE_INIT;
static int registered = SQLITE_ERROR;

/// Writes the frame header held, if any: before any other call on the file.
static int flushHeld(sqlite3_file *f) {
    KeepMapFile *file = (KeepMapFile *)f;
    if (file->heldAmount == 0) return SQLITE_OK;
    int amount = file->heldAmount;
    file->heldAmount = 0;
    file->writes++;
    return METHODS(f)->xWrite(REAL(f), file->held, amount, file->heldOffset);
}

/// Returns `call`'s result once the header held is written, or the error writing it.
#define AFTER_HELD(f, call)                                  \
    do {                                                     \
        int heldResult = flushHeld(f);                       \
        if (heldResult != SQLITE_OK) return heldResult;      \
        return (call);                                       \
    } while (0)

static int keepClose(sqlite3_file *f) {
    KeepMapFile *file = (KeepMapFile *)f;
    int flushed = flushHeld(f);
    sqlite3_free(file->joined);
    file->joined = NULL;
    file->joinedCapacity = 0;
    int rc = METHODS(f)->xClose(REAL(f));
    return flushed != SQLITE_OK ? flushed : rc;
}
static int keepRead(sqlite3_file *f, void *buffer, int amount, sqlite3_int64 offset) {
    AFTER_HELD(f, METHODS(f)->xRead(REAL(f), buffer, amount, offset));
}
static int keepWrite(sqlite3_file *f, const void *buffer, int amount, sqlite3_int64 offset) {
    KeepMapFile *file = (KeepMapFile *)f;
    if (!file->isLog) return METHODS(f)->xWrite(REAL(f), buffer, amount, offset);
    // The page of the header held, at the next byte: both in one write.
    if (file->heldAmount > 0 && offset == file->heldOffset + file->heldAmount && amount > 0) {
        int total = file->heldAmount + amount;
        if (file->joinedCapacity < total) {
            unsigned char *grown = sqlite3_realloc(file->joined, total);
            if (grown != NULL) {
                file->joined = grown;
                file->joinedCapacity = total;
            }
        }
        if (file->joinedCapacity >= total) {
            memcpy(file->joined, file->held, (size_t)file->heldAmount);
            memcpy(file->joined + file->heldAmount, buffer, (size_t)amount);
            sqlite3_int64 at = file->heldOffset;
            file->heldAmount = 0;
            file->writes++;
            file->framesJoined++;
            return METHODS(f)->xWrite(REAL(f), file->joined, total, at);
        }
        // No memory for the joined frame: the two writes as SQLite asked for them.
    }
    int flushed = flushHeld(f);
    if (flushed != SQLITE_OK) return flushed;
    if (amount == FRAME_HEADER) {
        memcpy(file->held, buffer, FRAME_HEADER);
        file->heldAmount = FRAME_HEADER;
        file->heldOffset = offset;
        return SQLITE_OK;
    }
    file->writes++;
    return METHODS(f)->xWrite(REAL(f), buffer, amount, offset);
}
// The default VFS resizes or remaps its mapping itself in these two: the size remembered no
// longer says what is mapped, so the next request to unmap goes through.
static int keepTruncate(sqlite3_file *f, sqlite3_int64 size) {
    ((KeepMapFile *)f)->mappedSize = -1;
    AFTER_HELD(f, METHODS(f)->xTruncate(REAL(f), size));
}
static int keepSync(sqlite3_file *f, int flags) { AFTER_HELD(f, METHODS(f)->xSync(REAL(f), flags)); }
static int keepFileSize(sqlite3_file *f, sqlite3_int64 *size) { AFTER_HELD(f, METHODS(f)->xFileSize(REAL(f), size)); }
static int keepLock(sqlite3_file *f, int lock) { AFTER_HELD(f, METHODS(f)->xLock(REAL(f), lock)); }
static int keepUnlock(sqlite3_file *f, int lock) { AFTER_HELD(f, METHODS(f)->xUnlock(REAL(f), lock)); }
static int keepCheckReservedLock(sqlite3_file *f, int *out) { return METHODS(f)->xCheckReservedLock(REAL(f), out); }
static int keepFileControl(sqlite3_file *f, int op, void *argument) {
    if (op == SQLITE_FCNTL_MMAP_SIZE || op == SQLITE_FCNTL_SIZE_HINT) ((KeepMapFile *)f)->mappedSize = -1;
    AFTER_HELD(f, METHODS(f)->xFileControl(REAL(f), op, argument));
}
static int keepSectorSize(sqlite3_file *f) { return METHODS(f)->xSectorSize(REAL(f)); }
static int keepDeviceCharacteristics(sqlite3_file *f) { return METHODS(f)->xDeviceCharacteristics(REAL(f)); }
static int keepShmMap(sqlite3_file *f, int region, int size, int extend, void volatile **out) {
    if (!HAS_SHM(f)) return SQLITE_IOERR_SHMMAP;
    ((KeepMapFile *)f)->inWALMode = 1;
    return METHODS(f)->xShmMap(REAL(f), region, size, extend, out);
}
static int keepShmLock(sqlite3_file *f, int offset, int n, int flags) {
    return HAS_SHM(f) ? METHODS(f)->xShmLock(REAL(f), offset, n, flags) : SQLITE_IOERR_SHMLOCK;
}
static void keepShmBarrier(sqlite3_file *f) {
    if (HAS_SHM(f)) METHODS(f)->xShmBarrier(REAL(f));
}
static int keepShmUnmap(sqlite3_file *f, int deleteFlag) {
    // Leaving WAL mode (or closing): from here on every request to unmap goes through.
    ((KeepMapFile *)f)->inWALMode = 0;
    return HAS_SHM(f) ? METHODS(f)->xShmUnmap(REAL(f), deleteFlag) : SQLITE_OK;
}

static int keepFetch(sqlite3_file *f, sqlite3_int64 offset, int amount, void **out) {
    KeepMapFile *file = (KeepMapFile *)f;
    if (!HAS_FETCH(f)) {
        *out = NULL;
        return SQLITE_OK;
    }
    // The default VFS maps the whole file (up to mmap_size) at the first fetch after an unmap,
    // at its size then: remember that size. (Were the file to grow between the two looks, the
    // size remembered is the smaller one, and the next check unmaps: the safe side.)
    if (file->mappedSize < 0) {
        sqlite3_int64 size;
        if (METHODS(f)->xFileSize(REAL(f), &size) == SQLITE_OK) file->mappedSize = size;
    }
    return METHODS(f)->xFetch(REAL(f), offset, amount, out);
}

static int keepUnfetch(sqlite3_file *f, sqlite3_int64 offset, void *page) {
    KeepMapFile *file = (KeepMapFile *)f;
    if (!HAS_FETCH(f)) return SQLITE_OK;
    // page == NULL: "unmap the whole file" — the request this layer exists for.
    if (page == NULL && file->inWALMode && file->mappedSize >= 0) {
        sqlite3_int64 size;
        if (METHODS(f)->xFileSize(REAL(f), &size) == SQLITE_OK && size == file->mappedSize) {
            return SQLITE_OK;
        }
        file->mappedSize = -1;
    }
    return METHODS(f)->xUnfetch(REAL(f), offset, page);
}

static int keepOpen(sqlite3_vfs *vfs, sqlite3_filename name, sqlite3_file *f, int flags, int *outFlags) {
    (void)vfs;
    KeepMapFile *file = (KeepMapFile *)f;
    memset(file, 0, sizeof *file);
    file->mappedSize = -1;
    file->isLog = (flags & SQLITE_OPEN_WAL) != 0;
    int rc = defaultVFS->xOpen(defaultVFS, name, REAL(f), flags, outFlags);
    const sqlite3_io_methods *methods = REAL(f)->pMethods;
    if (methods != NULL) {
        // The same version as the file underneath, so SQLite never calls a method it lacks.
        int version = methods->iVersion < 1 ? 1 : (methods->iVersion > 3 ? 3 : methods->iVersion);
        int shared = version >= 2 && methods->xShmMap != NULL;
        f->pMethods = &keepMapMethods[shared][version - 1];
    }
    return rc;
}

static void registerOnce(void) {
    // Before SQLite starts: no memory statistics. With them (Debian's default), every allocation
    // and free SQLite makes takes one process-wide mutex to count it, and the single writer waited
    // on it behind the readers' token checks (docs/benchmarks.md). Nothing here reads them
    // (sqlite3_memory_used, soft heap limits). Too late if SQLite already started in this process
    // (SQLITE_MISUSE): the statistics stay on, nothing else changes.
    (void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    int rc = sqlite3_initialize();
    if (rc != SQLITE_OK) {
        registered = rc;
        return;
    }
    defaultVFS = sqlite3_vfs_find(NULL);
    if (defaultVFS == NULL) return;
    keepMapVFS = *defaultVFS;
    keepMapVFS.szOsFile = (int)sizeof(KeepMapFile) + defaultVFS->szOsFile;
    keepMapVFS.zName = "servicedesk-keepmap";
    keepMapVFS.pNext = NULL;
    keepMapVFS.xOpen = keepOpen;
    // One table of every method; the six variants differ only in their version and in whether
    // they offer the WAL's shared memory. Without it underneath, none here either: SQLite then
    // refuses WAL mode for the file, as it would without this layer.
    const sqlite3_io_methods all = {
        .xClose = keepClose,
        .xRead = keepRead,
        .xWrite = keepWrite,
        .xTruncate = keepTruncate,
        .xSync = keepSync,
        .xFileSize = keepFileSize,
        .xLock = keepLock,
        .xUnlock = keepUnlock,
        .xCheckReservedLock = keepCheckReservedLock,
        .xFileControl = keepFileControl,
        .xSectorSize = keepSectorSize,
        .xDeviceCharacteristics = keepDeviceCharacteristics,
        .xShmMap = keepShmMap,
        .xShmLock = keepShmLock,
        .xShmBarrier = keepShmBarrier,
        .xShmUnmap = keepShmUnmap,
        .xFetch = keepFetch,
        .xUnfetch = keepUnfetch,
    };
    for (int shared = 0; shared < 2; shared++) {
        for (int version = 1; version <= 3; version++) {
            sqlite3_io_methods *m = &keepMapMethods[shared][version - 1];
            *m = all;
            m->iVersion = version;
            if (!shared) {
                m->xShmMap = NULL;
                m->xShmLock = NULL;
                m->xShmBarrier = NULL;
                m->xShmUnmap = NULL;
            }
        }
    }
    registered = sqlite3_vfs_register(&keepMapVFS, 1);
}

int desk_keepmap_register(void) {
    pthread_once(&once, registerOnce);
    return registered;
}

int desk_keepmap_log_counts(sqlite3 *db, long long *writes, long long *framesJoined) {
    sqlite3_file *log = NULL;
    // In WAL mode the pager's journal is its log (pager.c, sqlite3PagerJrnlFile).
    int rc = sqlite3_file_control(db, "main", SQLITE_FCNTL_JOURNAL_POINTER, &log);
    if (rc != SQLITE_OK) return rc;
    if (log == NULL || log->pMethods == NULL) return SQLITE_NOTFOUND;
    int ours = 0;
    for (int shared = 0; shared < 2; shared++) {
        for (int version = 0; version < 3; version++) ours |= log->pMethods == &keepMapMethods[shared][version];
    }
    if (!ours || !((KeepMapFile *)log)->isLog) return SQLITE_NOTFOUND;
    *writes = ((KeepMapFile *)log)->writes;
    *framesJoined = ((KeepMapFile *)log)->framesJoined;
    return SQLITE_OK;
}
