/* fuzz_compiler.c: libFuzzer entry point for the journey front end.
 *
 * Each input is compiled as one program held in memory (lexing, parsing, imports,
 * resolution and checking), its diagnostics are rendered both as text and as JSON to
 * /dev/null, and everything is freed. The compiler must never crash, hang, leak or hit
 * undefined behaviour, whatever the bytes (DESIGN.md section 7). */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "compiler.h"

static FILE *sink;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > UINT32_MAX) return 0;
    if (!sink) sink = fopen("/dev/null", "w");
    if (!sink) return 0;
    /* `make fuzz` runs from the top of the tree, so std/email and friends resolve. */
    static const char *const include_dirs[] = { "stdlib" };
    jc_options options = { .include_dirs = include_dirs, .include_dir_count = 1 };
    jc_compiler *compiler = jc_compiler_new(&options);
    if (!compiler) return 0;
    jc_compiler_check_source(compiler, "fuzz.journey", (const char *)data, (uint32_t)size);
    jc_render_options text = { JC_RENDER_TEXT, false, false };
    jc_render_options colored_json = { JC_RENDER_JSON, true, true };
    jc_diagnostics_render(&compiler->diagnostics, &compiler->sources, &text, sink);
    jc_diagnostics_render(&compiler->diagnostics, &compiler->sources, &colored_json, sink);
    jc_compiler_free(compiler);
    return 0;
}
