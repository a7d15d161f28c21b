/* compiler.h: the journey compiler as a library for the command-line front ends.
 *
 * A jc_compiler holds one compilation: the source files it read (the root file and
 * everything it imports), the syntax tree, and the diagnostics. It never prints and
 * never exits; callers render the diagnostics with jc_diagnostics_render. */
#ifndef JC_COMPILER_H
#define JC_COMPILER_H
#include <stdbool.h>
#include <stdint.h>

#include "arena.h"
#include "ast.h"
#include "diagnostic.h"
#include "source.h"

typedef struct jc_options {
    const char *const *include_dirs; /* -I DIR, searched first, in order */
    uint32_t include_dir_count;
    const char *journey_path;        /* JOURNEY_PATH: directories separated by ':' */
    const char *executable_path;     /* argv[0] resolved; finds the stdlib beside a build */
    const char *installed_stdlib;    /* the stdlib directory chosen at install time */
} jc_options;

typedef struct jc_module {
    char *resolved_path;
    uint32_t file;
    struct jc_module *next;
} jc_module;

typedef struct jc_compiler {
    jc_options options;
    jc_arena arena;
    jc_interner names;
    jc_sources sources;
    jc_diagnostics diagnostics;
    jc_list declarations; /* of every loaded module, the root file's last */
    jc_module *modules;   /* loaded files, so each is read once */
    uint32_t root_file;
    bool out_of_memory;
} jc_compiler;

typedef enum jc_status {
    JC_OK = 0,
    JC_ERRORS = 1,       /* the program has errors: see the diagnostics */
    JC_NO_MEMORY = 2,
} jc_status;

/* The options a command-line front end uses: the given -I directories, JOURNEY_PATH
 * from the environment, the standard library beside the running executable, and the
 * installed one (installed_stdlib). The executable's path lives in static storage. */
jc_options jc_command_line_options(const char *const *include_dirs, uint32_t include_dir_count,
                                   const char *installed_stdlib);

/* Returns NULL when out of memory. options may be NULL; it is copied shallowly. */
jc_compiler *jc_compiler_new(const jc_options *options);
void jc_compiler_free(jc_compiler *compiler);

/* Reads, parses, resolves and checks the program rooted at path (and its imports). */
jc_status jc_compiler_check_file(jc_compiler *compiler, const char *path);
/* The same for a program held in memory; display_path names it in diagnostics. */
jc_status jc_compiler_check_source(jc_compiler *compiler, const char *display_path,
                                   const char *text, uint32_t length);

/* Internal phases, in order. */
uint32_t jc_load_file(jc_compiler *compiler, const char *path, jc_span import_site);
void jc_parse_file(jc_compiler *compiler, uint32_t file, jc_list *declarations);
void jc_resolve(jc_compiler *compiler);

/* Shared helpers. */
jc_name *jc_compiler_intern(jc_compiler *compiler, const char *text, size_t length);
void *jc_compiler_alloc(jc_compiler *compiler, size_t size);

#endif
