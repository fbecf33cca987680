/*
 * LD_PRELOAD shim that moves only the wall clock of a process.
 *
 * End-to-end tests start the real `deskd` "elsewhere in time" (say, a Monday
 * morning in another time zone) without touching the machine's clock.
 * libfaketime is not usable: it also shifts the monotonic clocks, which stalls
 * SwiftNIO's timers. Here CLOCK_MONOTONIC, CLOCK_BOOTTIME etc. pass through
 * untouched; only CLOCK_REALTIME(_COARSE), gettimeofday, time and timespec_get
 * move.
 *
 * DESK_TEST_REALTIME_START=<Unix seconds> sets where the wall clock starts; it
 * keeps running from there at normal speed. Absent or invalid: no shift.
 *
 * Build: cc -shared -fPIC -O2 -o libshift.so realtime-shift.c -ldl -lpthread
 *
 * On x86_64 glibc time_t has always been 64-bit, so callers bind to plain
 * `clock_gettime` (there is no clock_gettime64/__clock_gettime64 export, and
 * `__clock_gettime` is GLIBC_PRIVATE). glibc's `time` and `gettimeofday` read
 * the vDSO directly rather than calling `clock_gettime` through the PLT, so
 * each entry point that reads the wall clock has to be wrapped separately.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/time.h>
#include <time.h>

typedef int (*clock_gettime_fn)(clockid_t, struct timespec *);
typedef int (*gettimeofday_fn)(struct timeval *, void *);

static clock_gettime_fn real_clock_gettime;
static gettimeofday_fn real_gettimeofday;
static int64_t offset_ns; /* added to every wall-clock reading; 0 = no shift */
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void init(void) {
    real_clock_gettime = (clock_gettime_fn)dlsym(RTLD_NEXT, "clock_gettime");
    real_gettimeofday = (gettimeofday_fn)dlsym(RTLD_NEXT, "gettimeofday");

    const char *start = getenv("DESK_TEST_REALTIME_START");
    if (start == NULL || *start == '\0' || real_clock_gettime == NULL) return;
    char *end;
    errno = 0;
    long long seconds = strtoll(start, &end, 10);
    if (errno != 0 || *end != '\0' || seconds < 0) return; /* garbage: behave as if unset */

    /* Offset fixed at first use, so the shifted clock starts at START and then flows. */
    struct timespec now;
    if (real_clock_gettime(CLOCK_REALTIME, &now) != 0) return;
    offset_ns = (int64_t)(seconds - now.tv_sec) * 1000000000 - now.tv_nsec;
}

static void shift(struct timespec *ts) {
    int64_t ns = (int64_t)ts->tv_sec * 1000000000 + ts->tv_nsec + offset_ns;
    ts->tv_sec = ns / 1000000000;
    ts->tv_nsec = ns % 1000000000;
    if (ts->tv_nsec < 0) { /* C division truncates; keep tv_nsec in [0, 1e9) */
        ts->tv_nsec += 1000000000;
        ts->tv_sec -= 1;
    }
}

int clock_gettime(clockid_t clock, struct timespec *ts) {
    pthread_once(&once, init);
    int result = real_clock_gettime(clock, ts);
    if (result == 0 && offset_ns != 0 && (clock == CLOCK_REALTIME || clock == CLOCK_REALTIME_COARSE)) shift(ts);
    return result;
}

/* `void *tz` matches glibc's own prototype; glibc also declares `tv` nonnull, so it is not checked. */
int gettimeofday(struct timeval *tv, void *tz) {
    pthread_once(&once, init);
    int result = real_gettimeofday(tv, tz);
    if (result == 0 && offset_ns != 0) {
        struct timespec ts = {tv->tv_sec, tv->tv_usec * 1000};
        shift(&ts);
        tv->tv_sec = ts.tv_sec;
        tv->tv_usec = ts.tv_nsec / 1000;
    }
    return result;
}

time_t time(time_t *out) {
    struct timespec ts;
    if (clock_gettime(CLOCK_REALTIME, &ts) != 0) return (time_t)-1;
    if (out != NULL) *out = ts.tv_sec;
    return ts.tv_sec;
}

/* C11 wall-clock reader; Swift Testing uses it, so a Swift child process might too. */
int timespec_get(struct timespec *ts, int base) {
    if (base != TIME_UTC || clock_gettime(CLOCK_REALTIME, ts) != 0) return 0;
    return base;
}
