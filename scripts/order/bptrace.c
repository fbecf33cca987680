// bptrace ADDRESSES OUT PROGRAM [ARGS...] — which functions of PROGRAM a run enters.
//
// Runs PROGRAM under ptrace with a one-shot breakpoint (int3) at every address listed in
// ADDRESSES (hexadecimal, relative to the executable's load address: the functions of its
// symbol table), and writes to OUT the addresses entered at least once. A breakpoint is put
// back to the original byte at its first hit, so each function costs one stop in all, whatever
// the thread. SIGTERM and SIGINT are passed on to PROGRAM; OUT is written when its last thread
// has gone. Used by scripts/order-file.py to list the code deskd runs (the link's symbol
// ordering file, docs/benchmarks.md); x86-64 Linux only.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>

static unsigned long *address;
static unsigned char *original, *entered;
static size_t count;
static volatile pid_t child;

static void pass_on(int signal) {
    if (child > 0) kill(child, signal);
}

static int compare(const void *a, const void *b) {
    unsigned long x = *(const unsigned long *)a, y = *(const unsigned long *)b;
    return x < y ? -1 : x > y;
}

static long find(unsigned long a) {
    size_t low = 0, high = count;
    while (low < high) {
        size_t middle = (low + high) / 2;
        if (address[middle] < a) low = middle + 1; else high = middle;
    }
    return low < count && address[low] == a ? (long)low : -1;
}

int main(int argc, char **argv) {
    if (argc < 4) {
        fprintf(stderr, "usage: bptrace ADDRESSES OUT PROGRAM [ARGS...]\n");
        return 2;
    }
    FILE *file = fopen(argv[1], "r");
    if (!file) { perror(argv[1]); return 2; }
    size_t capacity = 1 << 16;
    address = malloc(capacity * sizeof *address);
    unsigned long a;
    while (fscanf(file, "%lx", &a) == 1) {
        if (count == capacity) address = realloc(address, (capacity *= 2) * sizeof *address);
        address[count++] = a;
    }
    fclose(file);
    qsort(address, count, sizeof *address, compare);
    original = calloc(count, 1);
    entered = calloc(count, 1);

    pid_t pid = fork();
    if (pid == 0) {
        ptrace(PTRACE_TRACEME, 0, 0, 0);
        execv(argv[3], argv + 3);
        _exit(127);
    }
    child = pid;
    signal(SIGTERM, pass_on);
    signal(SIGINT, pass_on);
    int status;
    waitpid(pid, &status, 0);  // stopped at the exec, before any of its code ran
    ptrace(PTRACE_SETOPTIONS, pid, 0, PTRACE_O_TRACECLONE | PTRACE_O_EXITKILL);

    // The load address: the executable's mapping at file offset 0.
    char path[64], executable[4096], line[8192];
    snprintf(path, sizeof path, "/proc/%d/exe", pid);
    ssize_t length = readlink(path, executable, sizeof executable - 1);
    if (length <= 0) { perror(path); return 3; }
    executable[length] = 0;
    snprintf(path, sizeof path, "/proc/%d/maps", pid);
    file = fopen(path, "r");
    unsigned long base = 0;
    while (fgets(line, sizeof line, file)) {
        unsigned long start, offset;
        char name[4096] = "";
        if (sscanf(line, "%lx-%*x %*s %lx %*s %*s %4095s", &start, &offset, name) == 3 && offset == 0
            && strcmp(name, executable) == 0) { base = start; break; }
    }
    fclose(file);
    snprintf(path, sizeof path, "/proc/%d/mem", pid);
    int memory = open(path, O_RDWR);
    unsigned char trap = 0xCC;
    for (size_t i = 0; i < count; i++) {
        if (pread(memory, &original[i], 1, base + address[i]) != 1 || pwrite(memory, &trap, 1, base + address[i]) != 1) {
            perror("breakpoint");
            return 3;
        }
    }
    ptrace(PTRACE_CONT, pid, 0, 0);

    size_t hits = 0;
    for (;;) {
        pid_t thread = waitpid(-1, &status, __WALL);
        if (thread < 0) {
            if (errno == EINTR) continue;
            break;  // ECHILD: every thread has gone
        }
        if (!WIFSTOPPED(status)) continue;
        int signal = WSTOPSIG(status);
        if (status >> 16) { ptrace(PTRACE_CONT, thread, 0, 0); continue; }  // a new thread
        if (signal == SIGTRAP) {
            struct user_regs_struct registers;
            ptrace(PTRACE_GETREGS, thread, 0, &registers);
            long i = find(registers.rip - 1 - base);
            if (i >= 0) {
                // Another thread may have stopped at the same breakpoint: its byte is back already.
                if (!entered[i]) {
                    entered[i] = 1;
                    hits++;
                    pwrite(memory, &original[i], 1, base + address[i]);
                }
                registers.rip -= 1;
                ptrace(PTRACE_SETREGS, thread, 0, &registers);
                ptrace(PTRACE_CONT, thread, 0, 0);
                continue;
            }
        }
        if (signal == SIGSTOP) signal = 0;  // the first stop of a traced new thread
        ptrace(PTRACE_CONT, thread, 0, signal);
    }
    file = fopen(argv[2], "w");
    if (!file) { perror(argv[2]); return 3; }
    for (size_t i = 0; i < count; i++)
        if (entered[i]) fprintf(file, "%lx\n", address[i]);
    fclose(file);
    fprintf(stderr, "bptrace: %zu of %zu functions entered\n", hits, count);
    return 0;
}
