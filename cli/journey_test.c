/* journey_test.c: the `journey test` command (journey_test.h): finds the test files,
 * compiles each, runs its tests (scenario.c) and sums up. */
#include "journey_test.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "compile_file.h"
#include "native_options.h"
#include "scenario.h"
#include "test_output.h"
#include "usage.h"

enum { EXIT_PASSED = 0, EXIT_FAILED = 1, EXIT_INTERNAL = 70 };

static const char help_text[] =
    "Usage: journey test [OPTIONS] FILE|DIR...\n"
    "\n"
    "Runs the scenario tests of journey programs: the `test \"name\" { ... }` blocks of\n"
    "each FILE, and of every NAME.test.journey file under each DIR. A test file imports\n"
    "the program it tests (import \"./onboarding\"); each test runs on its own virtual\n"
    "clock, from a fresh state, through the same VM as `journey sim`. The language of\n"
    "tests is in spec/testing.md.\n"
    "\n"
    "Options:\n"
    "  -I DIR          search DIR for imports\n"
    "  --allow-native=LIB\n"
    "                  let the programs' `extern \"LIB\" fn ...` functions run as\n"
    "                  native code (repeatable); a file whose program declares an\n"
    "                  extern of a library not allowed does not load, and fails\n"
    "  --native-dir=DIR\n"
    "                  open allowed libraries from DIR (default: the system's\n"
    "                  library path and LD_LIBRARY_PATH)\n"
    "  --match TEXT    run only the tests whose name contains TEXT\n"
    "  -q, --quiet     print only the failures and the summary\n"
    "  --color=WHEN    colour PASS and FAIL: auto (when standard output is a terminal\n"
    "                  and NO_COLOR is unset), always or never\n"
    "  -h, --help      show this help\n"
    "\n"
    "Output: one line per test, PASS or FAIL, with its file and name. A failure shows\n"
    "the expectation (FILE:LINE:COLUMN and its source line), the virtual time, what was\n"
    "expected against what happened, and the actions the contact got so far. The last\n"
    "line is \"N passed, N failed\"; a file that does not compile counts as one failure.\n"
    "\n"
    "Exit status: 0 every test passed; 1 a test failed, a file did not compile or could\n"
    "not be read, or there was no test to run; 64 usage; 70 internal failure.\n"
    "\n"
    "Example:\n"
    "  journey test examples/\n";

typedef struct test_options {
    const char **paths;
    int path_count;
    const char **include_dirs;
    int include_dir_count;
    const char *match;
    bool quiet;
    bool color_out; /* PASS and FAIL on stdout */
    bool color_err; /* compiler diagnostics on stderr */
    native_options natives;
} test_options;

typedef struct test_totals {
    unsigned passed, failed;
    bool internal; /* out of memory: stop */
} test_totals;

/* ---- one file ------------------------------------------------------------------------ */

static void run_file(const char *path, const test_options *options, test_totals *totals)
{
    compiled_file compiled;
    jr_load_options load_options = native_load_options(&options->natives);
    int status = compile_file(path, options->include_dirs, (uint32_t)options->include_dir_count, options->color_err,
                              &load_options, &compiled);
    if (status == EXIT_INTERNAL) {
        totals->internal = true;
        return;
    }
    if (status != 0) {
        test_output_not_compiled(stdout, path, options->color_out);
        totals->failed++;
        return;
    }
    const jc_compiler *compiler = compiled.compiler;
    /* The tests of this file, not those of the files it imports: each test runs once,
     * from the file that declares it. */
    for (const jc_node *decl = compiler->declarations.first; decl && !totals->internal; decl = decl->next) {
        if (decl->kind != JC_NODE_TEST || decl->span.file != compiler->root_file) continue;
        const char *name = decl->as.test.name.bytes;
        if (options->match && !strstr(name, options->match)) continue;
        action_log actions = { 0 };
        scenario_failure failure;
        scenario_outcome outcome = scenario_run(compiled.program, compiler, decl, &actions, &failure);
        if (outcome == SCENARIO_NO_MEMORY) {
            totals->internal = true;
        } else if (outcome == SCENARIO_PASSED) {
            totals->passed++;
            if (!options->quiet) test_output_passed(stdout, path, name, options->color_out);
        } else {
            totals->failed++;
            test_output_failed(stdout, path, name, options->color_out, compiler, &failure, &actions);
        }
        action_log_free(&actions);
    }
    compiled_file_free(&compiled);
}

/* ---- finding test files ------------------------------------------------------------------ */

static bool is_test_file(const char *name)
{
    static const char suffix[] = ".test.journey";
    size_t length = strlen(name), suffix_length = sizeof suffix - 1;
    return length > suffix_length && strcmp(name + length - suffix_length, suffix) == 0;
}

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Runs the test files under directory, in name order, depth first. Hidden entries
 * (.git) are skipped. */
static void run_directory(const char *directory, const test_options *options, test_totals *totals)
{
    DIR *dir = opendir(directory);
    if (!dir) {
        fprintf(stderr, "journey test: cannot read '%s': %s\n", directory, strerror(errno));
        totals->failed++;
        return;
    }
    char **names = NULL;
    size_t count = 0, capacity = 0;
    for (struct dirent *entry; !totals->internal && (entry = readdir(dir));) {
        if (entry->d_name[0] == '.') continue;
        if (count == capacity) {
            capacity = capacity ? capacity * 2 : 32;
            char **grown = realloc(names, sizeof *names * capacity);
            if (!grown) {
                totals->internal = true;
                break;
            }
            names = grown;
        }
        if (!(names[count] = strdup(entry->d_name))) totals->internal = true;
        else count++;
    }
    closedir(dir);
    if (count) qsort(names, count, sizeof *names, compare_names);
    bool slash = directory[0] && directory[strlen(directory) - 1] == '/';
    for (size_t i = 0; i < count && !totals->internal; i++) {
        size_t length = strlen(directory) + strlen(names[i]) + 2;
        char *path = malloc(length);
        if (!path) {
            totals->internal = true;
            break;
        }
        snprintf(path, length, "%s%s%s", directory, slash ? "" : "/", names[i]);
        struct stat status;
        if (stat(path, &status) == 0 && S_ISDIR(status.st_mode)) run_directory(path, options, totals);
        else if (is_test_file(names[i])) run_file(path, options, totals);
        free(path);
    }
    for (size_t i = 0; i < count; i++) free(names[i]);
    free(names);
}

static void run_path(const char *path, const test_options *options, test_totals *totals)
{
    struct stat status;
    if (stat(path, &status) != 0) {
        fprintf(stderr, "journey test: cannot read '%s': %s\n", path, strerror(errno));
        totals->failed++;
        return;
    }
    if (S_ISDIR(status.st_mode)) run_directory(path, options, totals);
    else run_file(path, options, totals);
}

/* ---- the command --------------------------------------------------------------------------- */

static bool wants_color(const char *when, FILE *stream)
{
    if (strcmp(when, "always") == 0) return true;
    if (strcmp(when, "never") == 0) return false;
    const char *no_color = getenv("NO_COLOR"), *term = getenv("TERM");
    return isatty(fileno(stream)) && !(no_color && no_color[0]) && !(term && strcmp(term, "dumb") == 0);
}

static int parse_arguments(int argc, char **argv, test_options *options)
{
    const char *color = "auto";
    bool options_end = false;
    for (int i = 1; i < argc; i++) {
        const char *argument = argv[i];
        native_option_result native = options_end ? NATIVE_OPTION_NOT_MINE
                                                  : native_option_parse(&options->natives, argc, argv, &i);
        if (native == NATIVE_OPTION_NO_VALUE) {
            return usage_error("journey test", "option '%s' needs a value", argument);
        } else if (native == NATIVE_OPTION_TAKEN) {
            continue;
        } else if (options_end || argument[0] != '-' || argument[1] == '\0') {
            options->paths[options->path_count++] = argument;
        } else if (strcmp(argument, "--") == 0) {
            options_end = true;
        } else if (strcmp(argument, "-h") == 0 || strcmp(argument, "--help") == 0) {
            fputs(help_text, stdout);
            return EXIT_PASSED;
        } else if (strcmp(argument, "-q") == 0 || strcmp(argument, "--quiet") == 0) {
            options->quiet = true;
        } else if (strcmp(argument, "-I") == 0 || strcmp(argument, "--match") == 0) {
            if (i + 1 >= argc) return usage_error("journey test", "option '%s' needs a value", argument);
            if (argument[1] == 'I') options->include_dirs[options->include_dir_count++] = argv[++i];
            else options->match = argv[++i];
        } else if (strncmp(argument, "-I", 2) == 0) {
            options->include_dirs[options->include_dir_count++] = argument + 2;
        } else if (strncmp(argument, "--match=", 8) == 0) {
            options->match = argument + 8;
        } else if (strncmp(argument, "--color=", 8) == 0 || strncmp(argument, "--colour=", 9) == 0) {
            color = strchr(argument, '=') + 1;
            if (strcmp(color, "auto") != 0 && strcmp(color, "always") != 0 && strcmp(color, "never") != 0)
                return usage_error("journey test", "--color takes auto, always or never, not '%s'", color);
        } else {
            return usage_error("journey test", "unknown option '%s'", argument);
        }
    }
    if (options->path_count == 0) return usage_error("journey test", "no FILE or DIR to test");
    options->color_out = wants_color(color, stdout);
    options->color_err = wants_color(color, stderr);
    return -1;
}

int journey_test_command(int argc, char **argv)
{
    test_options options = { 0 };
    options.paths = calloc((size_t)argc + 1, sizeof *options.paths);
    options.include_dirs = calloc((size_t)argc + 1, sizeof *options.include_dirs);
    if (!options.paths || !options.include_dirs || !native_options_init(&options.natives, argc)) {
        free(options.paths);
        free(options.include_dirs);
        native_options_free(&options.natives);
        return EXIT_INTERNAL;
    }
    int status = parse_arguments(argc, argv, &options);
    if (status < 0) {
        test_totals totals = { 0 };
        for (int i = 0; i < options.path_count && !totals.internal; i++) run_path(options.paths[i], &options, &totals);
        if (totals.internal) {
            fputs("journey test: out of memory\n", stderr);
            status = EXIT_INTERNAL;
        } else {
            if (totals.passed + totals.failed == 0)
                fprintf(stderr, "journey test: no tests found (test files are named NAME.test.journey)\n");
            printf("%u passed, %u failed\n", totals.passed, totals.failed);
            status = totals.failed || totals.passed == 0 ? EXIT_FAILED : EXIT_PASSED;
        }
        if (fflush(stdout) != 0 || ferror(stdout)) status = EXIT_INTERNAL;
    }
    free(options.paths);
    free(options.include_dirs);
    native_options_free(&options.natives);
    return status;
}
