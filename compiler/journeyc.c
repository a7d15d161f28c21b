/* journeyc.c: the compiler's command-line front end. The only part of the compiler
 * that prints or exits. */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "codegen.h"
#include "compiler.h"
#include "disassemble.h"
#include "format.h"
#include "graph.h"
#include "lexer.h"

#ifndef JOURNEY_VERSION
#define JOURNEY_VERSION "0.0.0-dev"
#endif
#ifndef JOURNEY_STDLIB_DIR
#define JOURNEY_STDLIB_DIR "/usr/local/share/journey/stdlib"
#endif

enum {
    EXIT_CLEAN = 0,
    EXIT_ERRORS = 1,
    EXIT_USAGE = 64,    /* EX_USAGE */
    EXIT_INTERNAL = 70, /* EX_SOFTWARE: out of memory and the like */
};

static const char usage_text[] =
    "Usage: journeyc COMMAND [OPTIONS] FILE...\n"
    "\n"
    "The compiler of the journey language: it checks .journey files (marketing journeys,\n"
    "their events, attributes, scores, segments, channels, messages and limits) and reports\n"
    "problems the way gcc does.\n"
    "\n"
    "Commands:\n"
    "  check FILE...        parse and check each program; print diagnostics\n"
    "  build FILE [-o OUT]  compile a program to bytecode (default OUT: FILE with the\n"
    "                       extension .jbc); nothing is written when it has errors\n"
    "  dis FILE             print a readable listing of a .jbc file (or of the bytecode\n"
    "                       of a .journey file) with the source lines of its code\n"
    "  keywords             list the language's keywords, one per line with its group\n"
    "                       (the editor grammars are generated and tested from this)\n"
    "  graph FILE [-o MAP]  draw each journey as a flow diagram, a journey map: entries,\n"
    "                       holdout, sends, waits, branches, splits, loops, steps, exits\n"
    "                       and the goal (spec/graph.md). MAP ending in .svg is drawn by\n"
    "                       Graphviz's dot; .dot or .gv is DOT text; '-' writes DOT to\n"
    "                       standard output. Default MAP: FILE with the extension .svg\n"
    "  fmt FILE|DIR...      print each file in the canonical layout (spec/format.md):\n"
    "                       indentation, spaces, blank lines and aligned columns; the\n"
    "                       comments and the author's line breaks stay. Directories are\n"
    "                       searched for .journey files. A file with syntax errors is\n"
    "                       not formatted\n"
    "\n"
    "Options:\n"
    "  -o FILE              where build writes the bytecode, and graph the map\n"
    "  --report REPORT      graph: annotate the map with the figures of a simulation\n"
    "                       report (journey sim ... --report REPORT.json): contacts that\n"
    "                       reached each statement, waiting there, sent; contacts down\n"
    "                       each branch and edge; what nobody reached is greyed. A report\n"
    "                       that does not match the program (a changed file) is a warning\n"
    "  --journey NAME       graph: draw only the journey NAME\n"
    "  -w                   fmt: rewrite the files that are not formatted, in place\n"
    "  --check              fmt: change nothing; list the files that are not formatted\n"
    "                       (one per line on standard output) and fail if there are any\n"
    "  -I DIR               search DIR for imported modules (before JOURNEY_PATH and\n"
    "                       the standard library); may be repeated\n"
    "  -Werror              treat warnings as errors\n"
    "  --color=WHEN         colour diagnostics: auto (on a terminal, unless NO_COLOR is\n"
    "                       set), always, never; default auto\n"
    "  --diagnostics-format=FORMAT\n"
    "                       text (gcc style, with the source line and a caret) or json\n"
    "                       (one array in the shape of gcc's JSON diagnostics)\n"
    "  -h, --help           show this help and exit\n"
    "  --version            show the version and exit\n"
    "\n"
    "Environment:\n"
    "  JOURNEY_PATH         directories searched for imports, separated by ':'\n"
    "  NO_COLOR             when set and not empty, --color=auto means never\n"
    "\n"
    "Exit status:\n"
    "  0   every program is clean (warnings allowed unless -Werror)\n"
    "  1   a program has errors, or a file could not be read or written (or a report\n"
    "      is not valid), or graph found no Graphviz 'dot' to draw SVG with\n"
    "      (fmt --check: a file is not formatted)\n"
    "  64  the command line is wrong\n"
    "  70  internal failure (out of memory, or dot failed on the map)\n"
    "\n"
    "Example:\n"
    "  journeyc check examples/onboarding.journey\n"
    "  journeyc graph examples/onboarding.journey --report report.json -o map.svg\n"
    "  journeyc fmt --check examples/\n";

typedef enum color_mode { COLOR_AUTO, COLOR_ALWAYS, COLOR_NEVER } color_mode;

typedef struct command_line {
    const char *command;
    const char **files;
    int file_count;
    const char **include_dirs;
    int include_dir_count;
    const char *output;
    const char *report;  /* graph --report */
    const char *journey; /* graph --journey */
    bool write_in_place; /* fmt -w */
    bool check_format;   /* fmt --check */
    bool warnings_are_errors;
    color_mode color;
    jc_render_format format;
} command_line;

static int usage_error(const char *format, ...) JC_PRINTF(1, 2);
static int usage_error(const char *format, ...)
{
    va_list arguments;
    va_start(arguments, format);
    fputs("journeyc: ", stderr);
    vfprintf(stderr, format, arguments);
    va_end(arguments);
    fputs("\nTry 'journeyc --help' for more information.\n", stderr);
    return EXIT_USAGE;
}

/* Returns -1 when the command line is fine, else the exit status to leave with. */
static int parse_command_line(int argc, char **argv, command_line *line)
{
    line->files = calloc((size_t)argc, sizeof *line->files);
    line->include_dirs = calloc((size_t)argc, sizeof *line->include_dirs);
    if (!line->files || !line->include_dirs) {
        fputs("journeyc: out of memory\n", stderr);
        return EXIT_INTERNAL;
    }
    bool options_done = false;
    for (int i = 1; i < argc; i++) {
        const char *argument = argv[i];
        if (options_done || argument[0] != '-' || strcmp(argument, "-") == 0) {
            if (!line->command) line->command = argument;
            else line->files[line->file_count++] = argument;
            continue;
        }
        if (strcmp(argument, "--") == 0) {
            options_done = true;
        } else if (strcmp(argument, "-h") == 0 || strcmp(argument, "--help") == 0) {
            fputs(usage_text, stdout);
            return EXIT_CLEAN;
        } else if (strcmp(argument, "--version") == 0) {
            printf("journeyc %s\n", JOURNEY_VERSION);
            return EXIT_CLEAN;
        } else if (strcmp(argument, "-Werror") == 0) {
            line->warnings_are_errors = true;
        } else if (strcmp(argument, "-w") == 0) {
            line->write_in_place = true;
        } else if (strcmp(argument, "--check") == 0) {
            line->check_format = true;
        } else if (strcmp(argument, "-o") == 0) {
            if (i + 1 >= argc) return usage_error("option '%s' needs a file name", argument);
            line->output = argv[++i];
        } else if (strcmp(argument, "-I") == 0) {
            if (i + 1 >= argc) return usage_error("option '%s' needs a directory", argument);
            line->include_dirs[line->include_dir_count++] = argv[++i];
        } else if (strncmp(argument, "-I", 2) == 0) {
            line->include_dirs[line->include_dir_count++] = argument + 2;
        } else if (strncmp(argument, "--color=", 8) == 0 || strncmp(argument, "--colour=", 9) == 0) {
            const char *when = strchr(argument, '=') + 1;
            if (strcmp(when, "auto") == 0) line->color = COLOR_AUTO;
            else if (strcmp(when, "always") == 0) line->color = COLOR_ALWAYS;
            else if (strcmp(when, "never") == 0) line->color = COLOR_NEVER;
            else return usage_error("--color takes auto, always or never, not '%s'", when);
        } else if (strncmp(argument, "--diagnostics-format=", 21) == 0) {
            const char *format = argument + 21;
            if (strcmp(format, "text") == 0) line->format = JC_RENDER_TEXT;
            else if (strcmp(format, "json") == 0) line->format = JC_RENDER_JSON;
            else return usage_error("--diagnostics-format takes text or json, not '%s'", format);
        } else if (strcmp(argument, "--report") == 0) {
            if (i + 1 >= argc) return usage_error("option '%s' needs a file name", argument);
            line->report = argv[++i];
        } else if (strncmp(argument, "--report=", 9) == 0) {
            line->report = argument + 9;
        } else if (strcmp(argument, "--journey") == 0) {
            if (i + 1 >= argc) return usage_error("option '%s' needs a journey name", argument);
            line->journey = argv[++i];
        } else if (strncmp(argument, "--journey=", 10) == 0) {
            line->journey = argument + 10;
        } else {
            return usage_error("unknown option '%s'", argument);
        }
    }
    if (!line->command) return usage_error("%s", "no command given");
    return -1;
}

static bool use_color(color_mode mode, FILE *stream)
{
    if (mode == COLOR_ALWAYS) return true;
    if (mode == COLOR_NEVER) return false;
    const char *no_color = getenv("NO_COLOR");
    if (no_color && no_color[0]) return false;
    const char *term = getenv("TERM");
    if (term && strcmp(term, "dumb") == 0) return false;
    return isatty(fileno(stream));
}

static jc_options compiler_options(const command_line *line)
{
    return jc_command_line_options(line->include_dirs, (uint32_t)line->include_dir_count, JOURNEY_STDLIB_DIR);
}

static jc_render_options render_options(const command_line *line)
{
    return (jc_render_options){
        .format = line->format,
        .color = line->format == JC_RENDER_TEXT && use_color(line->color, stderr),
        .warnings_are_errors = line->warnings_are_errors,
    };
}

static int run_check(const command_line *line)
{
    if (line->file_count == 0) return usage_error("%s", "check needs at least one FILE");
    jc_options options = compiler_options(line);
    jc_render_options render = render_options(line);
    int status = EXIT_CLEAN;
    bool first_json = true;
    if (line->format == JC_RENDER_JSON) fputc('[', stdout);
    for (int i = 0; i < line->file_count; i++) {
        jc_compiler *compiler = jc_compiler_new(&options);
        if (!compiler) {
            fputs("journeyc: out of memory\n", stderr);
            return EXIT_INTERNAL;
        }
        jc_status result = jc_compiler_check_file(compiler, line->files[i]);
        if (line->format == JC_RENDER_JSON)
            jc_diagnostics_render_json_items(&compiler->diagnostics, &compiler->sources, &render, stdout,
                                             &first_json);
        else
            jc_diagnostics_render(&compiler->diagnostics, &compiler->sources, &render, stderr);
        if (result == JC_NO_MEMORY) {
            fputs("journeyc: out of memory\n", stderr);
            status = EXIT_INTERNAL;
        } else if ((result == JC_ERRORS ||
                    (line->warnings_are_errors && compiler->diagnostics.warning_count)) &&
                   status == EXIT_CLEAN) {
            status = EXIT_ERRORS;
        }
        jc_compiler_free(compiler);
    }
    if (line->format == JC_RENDER_JSON) fputs("]\n", stdout);
    return status;
}

/* A compiler that has checked path, with warnings counted as errors under -Werror;
 * NULL (said on stderr) when out of memory. */
static jc_compiler *checked_program(const command_line *line, const char *path, jc_status *result)
{
    jc_options options = compiler_options(line);
    jc_compiler *compiler = jc_compiler_new(&options);
    if (!compiler) {
        fputs("journeyc: out of memory\n", stderr);
        return NULL;
    }
    *result = jc_compiler_check_file(compiler, path);
    if (*result == JC_OK && line->warnings_are_errors && compiler->diagnostics.warning_count) *result = JC_ERRORS;
    return compiler;
}

/* Compiles one file to bytecode in memory, showing its diagnostics. Returns the exit
 * status; on success *bytes holds the .jbc image (malloc'ed). */
static int compile_to_bytecode(const command_line *line, const char *path, uint8_t **bytes, size_t *length)
{
    jc_render_options render = render_options(line);
    jc_status result;
    jc_compiler *compiler = checked_program(line, path, &result);
    if (!compiler) return EXIT_INTERNAL;
    jc_program program;
    jc_program_init(&program);
    if (result == JC_OK) result = jc_generate(compiler, &program);
    jc_diagnostics_render(&compiler->diagnostics, &compiler->sources, &render,
                          line->format == JC_RENDER_JSON ? stdout : stderr);
    int status = result == JC_NO_MEMORY ? EXIT_INTERNAL : result == JC_ERRORS ? EXIT_ERRORS : EXIT_CLEAN;
    if (status == EXIT_CLEAN && !jc_program_serialize(&program, bytes, length)) status = EXIT_INTERNAL;
    if (status == EXIT_INTERNAL) fputs("journeyc: out of memory\n", stderr);
    jc_program_free(&program);
    jc_compiler_free(compiler);
    return status;
}

static bool ends_with(const char *text, const char *suffix)
{
    size_t length = strlen(text), suffix_length = strlen(suffix);
    return length >= suffix_length && strcmp(text + length - suffix_length, suffix) == 0;
}

/* Writes beside path and renames, so a reader never sees half a file; with
 * dash_is_stdout, "-" is standard output. Returns an exit status. */
static int write_output(const char *path, const char *bytes, size_t length, bool dash_is_stdout)
{
    if (dash_is_stdout && strcmp(path, "-") == 0) {
        fwrite(bytes, 1, length, stdout);
        return EXIT_CLEAN; /* main reports a failed flush */
    }
    char temporary[PATH_MAX + 16];
    snprintf(temporary, sizeof temporary, "%s.tmp%ld", path, (long)getpid());
    FILE *file = fopen(temporary, "wb");
    bool written = file && fwrite(bytes, 1, length, file) == length;
    if (file && fclose(file) != 0) written = false;
    if (written && rename(temporary, path) != 0) written = false;
    if (!written) {
        fprintf(stderr, "journeyc: cannot write '%s': %s\n", path, strerror(errno));
        remove(temporary);
        return EXIT_ERRORS;
    }
    return EXIT_CLEAN;
}

/* -o, or else the input's name with `.journey` replaced by (or followed by) extension;
 * false when that name is too long. */
static bool output_name(const command_line *line, const char *extension, char output[PATH_MAX])
{
    const char *input = line->files[0];
    if (line->output) return (size_t)snprintf(output, PATH_MAX, "%s", line->output) < PATH_MAX;
    size_t stem = strlen(input) - (ends_with(input, ".journey") ? 8 : 0);
    int written = snprintf(output, PATH_MAX, "%.*s%s", (int)stem, input, extension);
    return written >= 0 && written < PATH_MAX;
}

static int run_build(const command_line *line)
{
    if (line->file_count != 1) return usage_error("%s", "build takes one FILE");
    const char *input = line->files[0];
    char output[PATH_MAX];
    if (!output_name(line, ".jbc", output)) return usage_error("%s", "file name too long");
    uint8_t *bytes = NULL;
    size_t length = 0;
    int status = compile_to_bytecode(line, input, &bytes, &length);
    if (status != EXIT_CLEAN) return status;
    status = write_output(output, (const char *)bytes, length, false);
    free(bytes);
    return status;
}

static int run_disassemble(const command_line *line)
{
    if (line->file_count != 1) return usage_error("%s", "dis takes one FILE");
    const char *input = line->files[0];
    uint8_t *bytes = NULL;
    size_t length = 0;
    if (ends_with(input, ".journey")) {
        int status = compile_to_bytecode(line, input, &bytes, &length);
        if (status != EXIT_CLEAN) return status;
    } else {
        FILE *file = fopen(input, "rb");
        if (!file) {
            fprintf(stderr, "journeyc: cannot read '%s': %s\n", input, strerror(errno));
            return EXIT_ERRORS;
        }
        size_t capacity = 0;
        for (;;) {
            if (length == capacity) {
                capacity = capacity ? capacity * 2 : 65536;
                uint8_t *grown = capacity <= JR_MAX_FILE_BYTES ? realloc(bytes, capacity) : NULL;
                if (!grown) {
                    fprintf(stderr, "journeyc: '%s' is too large to be bytecode\n", input);
                    free(bytes);
                    fclose(file);
                    return EXIT_ERRORS;
                }
                bytes = grown;
            }
            size_t got = fread(bytes + length, 1, capacity - length, file);
            length += got;
            if (got == 0) break;
        }
        fclose(file);
    }
    char error[256];
    int status = EXIT_CLEAN;
    if (jc_disassemble(bytes, length, stdout, error, sizeof error) != 0) {
        fprintf(stderr, "journeyc: %s: %s\n", input, error);
        status = EXIT_ERRORS;
    }
    free(bytes);
    return status;
}

static int run_keywords(const command_line *line)
{
    if (line->file_count) return usage_error("keywords takes no FILE, got '%s'", line->files[0]);
    uint32_t count;
    const jc_keyword *keywords = jc_keywords(&count);
    for (uint32_t i = 0; i < count; i++)
        printf("%s %s\n", keywords[i].spelling, jc_keyword_group_name(keywords[i].group));
    return EXIT_CLEAN;
}

/* The map's format from the name it is written to: "dot", "svg", or NULL. */
static const char *graph_format(const char *output)
{
    if (strcmp(output, "-") == 0 || ends_with(output, ".dot") || ends_with(output, ".gv")) return "dot";
    if (ends_with(output, ".svg")) return "svg";
    return NULL;
}

/* The map as DOT text (malloc'ed), after the program's and the report's diagnostics.
 * Returns an exit status. */
static int draw_graph(const command_line *line, const jc_report_counts *counts, char **dot, size_t *dot_length)
{
    jc_render_options render = render_options(line);
    jc_status result;
    jc_compiler *compiler = checked_program(line, line->files[0], &result);
    if (!compiler) return EXIT_INTERNAL;
    if (result == JC_OK) {
        jc_graph_options graph = { .journey = line->journey, .counts = counts, .report_path = line->report };
        FILE *memory = open_memstream(dot, dot_length);
        result = memory ? jc_graph_write_dot(compiler, &graph, memory) : JC_NO_MEMORY;
        if (memory && fclose(memory) != 0) result = JC_NO_MEMORY;
        if (result == JC_OK && line->warnings_are_errors && compiler->diagnostics.warning_count) result = JC_ERRORS;
    }
    /* JSON diagnostics go to standard output, as with build, unless the map does. */
    bool map_on_stdout = line->output && strcmp(line->output, "-") == 0;
    jc_diagnostics_render(&compiler->diagnostics, &compiler->sources, &render,
                          line->format == JC_RENDER_JSON && !map_on_stdout ? stdout : stderr);
    jc_compiler_free(compiler);
    if (result == JC_NO_MEMORY) fputs("journeyc: out of memory\n", stderr);
    return result == JC_NO_MEMORY ? EXIT_INTERNAL : result == JC_ERRORS ? EXIT_ERRORS : EXIT_CLEAN;
}

static int run_graph(const command_line *line)
{
    if (line->file_count != 1) return usage_error("%s", "graph takes one FILE");
    char output[PATH_MAX];
    if (!output_name(line, ".svg", output)) return usage_error("%s", "file name too long");
    const char *format = graph_format(output);
    if (!format)
        return usage_error("cannot tell what to write to '%s': name the map .svg, .dot or .gv, or '-' for DOT "
                           "on standard output", output);

    jc_report_counts *counts = NULL;
    if (line->report) {
        char error[512];
        jc_report_status read = jc_report_counts_read(line->report, &counts, error, sizeof error);
        if (read != JC_REPORT_OK) {
            fprintf(stderr, "journeyc: %s: %s\n", line->report, error);
            return read == JC_REPORT_NO_MEMORY ? EXIT_INTERNAL : EXIT_ERRORS;
        }
    }
    char *dot = NULL;
    size_t dot_length = 0;
    int status = draw_graph(line, counts, &dot, &dot_length);
    jc_report_counts_free(counts);
    if (status == EXIT_CLEAN && strcmp(format, "dot") == 0) {
        status = write_output(output, dot, dot_length, true);
    } else if (status == EXIT_CLEAN) {
        char *image = NULL, error[768];
        size_t image_length = 0;
        jc_dot_status drawn = jc_graph_run_dot(format, dot, dot_length, &image, &image_length, error, sizeof error);
        if (drawn == JC_DOT_OK) {
            status = write_output(output, image, image_length, true);
        } else {
            fprintf(stderr, "journeyc: %s%s\n", error,
                    drawn == JC_DOT_MISSING ? "; install Graphviz (Debian: apt-get install graphviz), or write "
                                              "DOT text with -o MAP.dot"
                                            : "");
            status = drawn == JC_DOT_MISSING ? EXIT_ERRORS : EXIT_INTERNAL;
        }
        free(image);
    }
    free(dot);
    return status;
}

/* ---- fmt ------------------------------------------------------------------------ */

typedef struct path_list {
    char **items;
    size_t count, capacity;
} path_list;

static bool path_list_add(path_list *list, const char *path)
{
    if (list->count == list->capacity) {
        size_t capacity = list->capacity ? list->capacity * 2 : 16;
        char **grown = realloc(list->items, sizeof *grown * capacity);
        if (!grown) return false;
        list->items = grown;
        list->capacity = capacity;
    }
    char *copy = strdup(path);
    if (!copy) return false;
    list->items[list->count++] = copy;
    return true;
}

static void path_list_free(path_list *list)
{
    for (size_t i = 0; i < list->count; i++) free(list->items[i]);
    free(list->items);
    *list = (path_list){ 0 };
}

static int compare_paths(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Adds the .journey files below directory, in name order; names starting with '.' and
 * symbolic links are skipped. Returns an exit status. */
static int collect_journey_files(const char *directory, path_list *files)
{
    DIR *listing = opendir(directory);
    if (!listing) {
        fprintf(stderr, "journeyc: cannot read directory '%s': %s\n", directory, strerror(errno));
        return EXIT_ERRORS;
    }
    path_list entries = { 0 };
    int status = EXIT_CLEAN;
    size_t length = strlen(directory);
    bool slash = length > 0 && directory[length - 1] == '/';
    for (struct dirent *entry; status == EXIT_CLEAN && (entry = readdir(listing));) {
        if (entry->d_name[0] == '.') continue;
        char path[PATH_MAX];
        int written = snprintf(path, sizeof path, "%s%s%s", directory, slash ? "" : "/", entry->d_name);
        if (written < 0 || (size_t)written >= sizeof path) {
            fprintf(stderr, "journeyc: path too long in '%s'\n", directory);
            status = EXIT_ERRORS;
        } else if (!path_list_add(&entries, path)) {
            fputs("journeyc: out of memory\n", stderr);
            status = EXIT_INTERNAL;
        }
    }
    closedir(listing);
    qsort(entries.items, entries.count, sizeof *entries.items, compare_paths);
    for (size_t i = 0; i < entries.count && status != EXIT_INTERNAL; i++) {
        struct stat status_of_entry;
        if (lstat(entries.items[i], &status_of_entry) != 0) continue;
        if (S_ISDIR(status_of_entry.st_mode)) {
            int result = collect_journey_files(entries.items[i], files);
            if (result > status) status = result;
        } else if (S_ISREG(status_of_entry.st_mode) && ends_with(entries.items[i], ".journey") &&
                   !path_list_add(files, entries.items[i])) {
            fputs("journeyc: out of memory\n", stderr);
            status = EXIT_INTERNAL;
        }
    }
    path_list_free(&entries);
    return status;
}

/* Formats one file: prints it, rewrites it (-w) or names it if it is not formatted
 * (--check). Returns an exit status. */
static int format_file(const command_line *line, const char *path)
{
    jc_render_options render = render_options(line);
    jc_compiler *compiler = jc_compiler_new(NULL);
    if (!compiler) {
        fputs("journeyc: out of memory\n", stderr);
        return EXIT_INTERNAL;
    }
    jc_formatted formatted;
    jc_format_status result = jc_format_file(compiler, path, &formatted);
    jc_diagnostics_render(&compiler->diagnostics, &compiler->sources, &render, stderr);
    jc_compiler_free(compiler);
    if (result == JC_FORMAT_NO_MEMORY) fputs("journeyc: out of memory\n", stderr);
    if (result != JC_FORMAT_OK) return result == JC_FORMAT_ERRORS ? EXIT_ERRORS : EXIT_INTERNAL;
    int status = EXIT_CLEAN;
    if (line->check_format) {
        if (formatted.changed) {
            printf("%s\n", path);
            status = EXIT_ERRORS;
        }
    } else if (line->write_in_place) {
        struct stat original;
        bool known_mode = stat(path, &original) == 0;
        if (formatted.changed) status = write_output(path, formatted.text, formatted.length, false);
        if (formatted.changed && status == EXIT_CLEAN && known_mode) chmod(path, original.st_mode & 07777);
    } else {
        fwrite(formatted.text, 1, formatted.length, stdout);
    }
    jc_formatted_free(&formatted);
    return status;
}

static int run_format(const command_line *line)
{
    if (line->file_count == 0) return usage_error("%s", "fmt needs at least one FILE or DIR");
    if (line->write_in_place && line->check_format) return usage_error("%s", "fmt takes -w or --check, not both");
    path_list files = { 0 };
    int status = EXIT_CLEAN;
    for (int i = 0; i < line->file_count && status != EXIT_INTERNAL; i++) {
        struct stat kind;
        int result = EXIT_CLEAN;
        if (stat(line->files[i], &kind) == 0 && S_ISDIR(kind.st_mode)) {
            result = collect_journey_files(line->files[i], &files);
        } else if (!path_list_add(&files, line->files[i])) {
            fputs("journeyc: out of memory\n", stderr);
            result = EXIT_INTERNAL;
        }
        if (result > status) status = result;
    }
    for (size_t i = 0; i < files.count && status != EXIT_INTERNAL; i++) {
        int result = format_file(line, files.items[i]);
        if (result > status) status = result;
    }
    path_list_free(&files);
    return status;
}

int main(int argc, char **argv)
{
    command_line line = { 0 };
    int status = parse_command_line(argc, argv, &line);
    if (status < 0 && (line.report || line.journey) && strcmp(line.command, "graph") != 0)
        status = usage_error("%s", "--report and --journey are options of the graph command");
    if (status < 0 && (line.write_in_place || line.check_format) && strcmp(line.command, "fmt") != 0)
        status = usage_error("%s", "-w and --check are options of the fmt command");
    if (status < 0) {
        if (strcmp(line.command, "check") == 0) status = run_check(&line);
        else if (strcmp(line.command, "build") == 0) status = run_build(&line);
        else if (strcmp(line.command, "dis") == 0) status = run_disassemble(&line);
        else if (strcmp(line.command, "keywords") == 0) status = run_keywords(&line);
        else if (strcmp(line.command, "graph") == 0) status = run_graph(&line);
        else if (strcmp(line.command, "fmt") == 0) status = run_format(&line);
        else status = usage_error("unknown command '%s' (try check, build, dis, graph, fmt or keywords)", line.command);
    }
    free(line.files);
    free(line.include_dirs);
    if (fflush(stdout) != 0 && status == EXIT_CLEAN) {
        fprintf(stderr, "journeyc: cannot write output: %s\n", strerror(errno));
        status = EXIT_INTERNAL;
    }
    return status;
}
