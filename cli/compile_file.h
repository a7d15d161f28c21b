/* compile_file.h: compiling a .journey file in memory for the journey command, so that
 * `journey sim` and `journey test` accept source files and not only bytecode. */
#ifndef JOURNEY_COMPILE_FILE_H
#define JOURNEY_COMPILE_FILE_H
#include <stdbool.h>
#include <stdint.h>

#include "compiler.h"
#include "journey.h"

typedef struct compiled_file {
    jc_compiler *compiler; /* the compilation: sources, syntax tree (tests included) */
    jr_program *program;   /* its bytecode, loaded and verified */
} compiled_file;

/* Compiles path and its imports (searched in the include directories first) and loads
 * the bytecode with load_options (NULL: no native code), which bind its externs.
 * Diagnostics go to stderr, in colour when color is set. Returns an exit status: 0, 1
 * (the program has errors or does not load, as when an extern's library is not allowed)
 * or 70 (out of memory); on failure out holds nothing to free. */
int compile_file(const char *path, const char *const *include_dirs, uint32_t include_dir_count, bool color,
                 const jr_load_options *load_options, compiled_file *out);
void compiled_file_free(compiled_file *file);

/* A program for sim and pack: a .jbc is loaded, a .journey compiled first (diagnostics on
 * stderr, problems prefixed with command, as "journey pack"). Returns 0, 1 or 70. */
int load_program_file(const char *path, const char *const *include_dirs, uint32_t include_dir_count,
                      const jr_load_options *load_options, const char *command, jr_program **program);

#endif
