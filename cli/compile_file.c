/* compile_file.c: a .journey file compiled and loaded in one go (compile_file.h). */
#include "compile_file.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <string.h>

#include "codegen.h"

#ifndef JOURNEY_STDLIB_DIR
#define JOURNEY_STDLIB_DIR "/usr/local/share/journey/stdlib"
#endif

enum { STATUS_CLEAN = 0, STATUS_FAILED = 1, STATUS_INTERNAL = 70 };

int compile_file(const char *path, const char *const *include_dirs, uint32_t include_dir_count, bool color,
                 const jr_load_options *load_options, compiled_file *out)
{
    out->compiler = NULL;
    out->program = NULL;
    jc_options options = jc_command_line_options(include_dirs, include_dir_count, JOURNEY_STDLIB_DIR);
    jc_compiler *compiler = jc_compiler_new(&options);
    if (!compiler) return STATUS_INTERNAL;
    jc_status status = jc_compiler_check_file(compiler, path);
    jc_program bytecode;
    jc_program_init(&bytecode);
    if (status == JC_OK) status = jc_generate(compiler, &bytecode);
    jc_render_options render = { JC_RENDER_TEXT, color, false };
    jc_diagnostics_render(&compiler->diagnostics, &compiler->sources, &render, stderr);
    int result = status == JC_OK ? STATUS_CLEAN : status == JC_NO_MEMORY ? STATUS_INTERNAL : STATUS_FAILED;
    uint8_t *bytes = NULL;
    size_t size = 0;
    if (result == STATUS_CLEAN && !jc_program_serialize(&bytecode, &bytes, &size)) result = STATUS_INTERNAL;
    jc_program_free(&bytecode);
    jr_error error;
    if (result == STATUS_CLEAN && jr_program_load(bytes, size, load_options, &out->program, &error) != JR_OK) {
        fprintf(stderr, "journey: %s: %s\n", path, error.message);
        result = error.status == JR_ERROR_MEMORY ? STATUS_INTERNAL : STATUS_FAILED;
    }
    free(bytes);
    if (result != STATUS_CLEAN) {
        jc_compiler_free(compiler);
        out->program = NULL;
        return result;
    }
    out->compiler = compiler;
    return STATUS_CLEAN;
}

void compiled_file_free(compiled_file *file)
{
    jr_program_free(file->program);
    jc_compiler_free(file->compiler);
    file->program = NULL;
    file->compiler = NULL;
}

static bool ends_with(const char *text, const char *suffix)
{
    size_t length = strlen(text), suffix_length = strlen(suffix);
    return length >= suffix_length && strcmp(text + length - suffix_length, suffix) == 0;
}

int load_program_file(const char *path, const char *const *include_dirs, uint32_t include_dir_count,
                      const jr_load_options *load_options, const char *command, jr_program **program)
{
    if (!ends_with(path, ".journey")) {
        jr_error error;
        if (jr_program_load_file(path, load_options, program, &error) == JR_OK) return STATUS_CLEAN;
        fprintf(stderr, "%s: %s: %s\n", command, path, error.message);
        return error.status == JR_ERROR_MEMORY ? STATUS_INTERNAL : STATUS_FAILED;
    }
    compiled_file compiled;
    int status = compile_file(path, include_dirs, include_dir_count, isatty(fileno(stderr)) && !getenv("NO_COLOR"),
                              load_options, &compiled);
    if (status != STATUS_CLEAN) return status;
    *program = compiled.program; /* the program outlives the compilation */
    compiled.program = NULL;
    compiled_file_free(&compiled);
    return STATUS_CLEAN;
}
