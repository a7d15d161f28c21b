/* measure.c: runs one command and measures it (build/bench/measure), for bench/run.sh.
 *
 * The wall-clock time (CLOCK_MONOTONIC around fork and wait), the CPU time of the
 * command and its children, and its peak resident set size, as the kernel counts them
 * (wait4's rusage: ru_utime, ru_stime, ru_maxrss). One line of key=value pairs. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

enum { EXIT_USAGE = 64, EXIT_INTERNAL = 70 };

static const char usage_text[] =
    "Usage: measure [-o RESULT] [--] COMMAND [ARGUMENT...]\n"
    "\n"
    "Runs COMMAND (found on PATH), waits for it and writes one line to RESULT (default:\n"
    "standard error):\n"
    "  wall_seconds=2.104 user_seconds=1.950 system_seconds=0.121 max_rss_kb=81234 status=0\n"
    "wall_seconds is the elapsed time, user and system the CPU time of the command,\n"
    "max_rss_kb its peak resident set size (kibibytes), status its exit status (128 + N\n"
    "when signal N ended it).\n"
    "\n"
    "Exit status: the command's (127: it could not be run); 64 usage; 70 no process could\n"
    "be made or waited for.\n";

static double seconds_of(struct timeval t) { return (double)t.tv_sec + (double)t.tv_usec / 1e6; }

static double monotonic_seconds(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)now.tv_sec + (double)now.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    const char *result_path = NULL;
    int first = 1;
    while (first < argc && argv[first][0] == '-') {
        if (strcmp(argv[first], "--") == 0) {
            first++;
            break;
        }
        if (strcmp(argv[first], "-h") == 0 || strcmp(argv[first], "--help") == 0) {
            fputs(usage_text, stdout);
            return 0;
        }
        if (strcmp(argv[first], "-o") == 0 && first + 1 < argc) {
            result_path = argv[first + 1];
            first += 2;
            continue;
        }
        fprintf(stderr, "measure: unknown option '%s'\nTry 'measure --help' for more information.\n", argv[first]);
        return EXIT_USAGE;
    }
    if (first >= argc) {
        fputs("measure: no command\nTry 'measure --help' for more information.\n", stderr);
        return EXIT_USAGE;
    }
    FILE *result = result_path ? fopen(result_path, "w") : stderr;
    if (!result) {
        fprintf(stderr, "measure: cannot write '%s': %s\n", result_path, strerror(errno));
        return EXIT_INTERNAL;
    }

    double started = monotonic_seconds();
    pid_t child = fork();
    if (child < 0) {
        fprintf(stderr, "measure: cannot fork: %s\n", strerror(errno));
        return EXIT_INTERNAL;
    }
    if (child == 0) {
        if (result != stderr) fclose(result);
        execvp(argv[first], argv + first);
        fprintf(stderr, "measure: cannot run '%s': %s\n", argv[first], strerror(errno));
        _exit(127);
    }
    int wait_status;
    struct rusage usage;
    while (wait4(child, &wait_status, 0, &usage) < 0) {
        if (errno != EINTR) {
            fprintf(stderr, "measure: cannot wait for '%s': %s\n", argv[first], strerror(errno));
            return EXIT_INTERNAL;
        }
    }
    double wall = monotonic_seconds() - started;
    int status = WIFEXITED(wait_status) ? WEXITSTATUS(wait_status) : 128 + WTERMSIG(wait_status);
    fprintf(result, "wall_seconds=%.3f user_seconds=%.3f system_seconds=%.3f max_rss_kb=%ld status=%d\n", wall,
            seconds_of(usage.ru_utime), seconds_of(usage.ru_stime), usage.ru_maxrss, status);
    if (result != stderr && fclose(result) != 0) {
        fprintf(stderr, "measure: cannot write '%s': %s\n", result_path, strerror(errno));
        return EXIT_INTERNAL;
    }
    return status;
}
