/* fuzz_compiler.c: libFuzzer entry point for the journey front end.
 *
 * Each input is compiled as one program held in memory (lexing, parsing, imports,
 * resolution and checking), its diagnostics are rendered both as text and as JSON to
 * /dev/null, and everything is freed. Then it is formatted (journeyc fmt): a formatter
 * self-check failure is a finding, and so is output that does not format to itself. The compiler must never crash, hang, leak or hit
 * undefined behaviour, whatever the bytes (DESIGN.md section 7). */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compiler.h"
#include "format.h"

static FILE *sink;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Formats text with a fresh compiler; false unless it formatted. */
static bool format_once(const char *text, uint32_t length, const jc_options *options, jc_formatted *out)
{
    jc_compiler *compiler = jc_compiler_new(options);
    if (!compiler) return false;
    jc_format_status status = jc_format_source(compiler, "fuzz.journey", text, length, out);
    jc_compiler_free(compiler);
    if (status == JC_FORMAT_SELF_CHECK_FAILED) abort(); /* the formatter changed the tokens */
    return status == JC_FORMAT_OK;
}

static void check_formatting(const uint8_t *data, size_t size, const jc_options *options)
{
    jc_formatted first = { 0 }, second = { 0 };
    if (format_once((const char *)data, (uint32_t)size, options, &first)) {
        if (!format_once(first.text, (uint32_t)first.length, options, &second)) abort(); /* fmt output must parse */
        if (second.length != first.length || memcmp(second.text, first.text, first.length) != 0) abort(); /* idempotent */
        jc_formatted_free(&second);
    }
    jc_formatted_free(&first);
}

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
    check_formatting(data, size, &options);
    return 0;
}
