/* diagnostic.h: errors, warnings and notes as values.
 * The compiler only records diagnostics; the command-line front end decides how to
 * show them (gcc-style text with carets, or JSON) by calling jc_diagnostics_render. */
#ifndef JC_DIAGNOSTIC_H
#define JC_DIAGNOSTIC_H
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>

#include "source.h"

typedef enum jc_severity {
    JC_SEVERITY_ERROR,
    JC_SEVERITY_WARNING,
    JC_SEVERITY_NOTE,
} jc_severity;

typedef struct jc_diagnostic {
    jc_severity severity;
    jc_span span;   /* span.file == JC_NO_FILE for diagnostics without a place */
    char *message;
} jc_diagnostic;

/* At most this many errors and warnings are recorded (all are counted), so that no
 * input, however broken, floods the output or takes long to show. */
enum { JC_MAX_DIAGNOSTICS = 100 };

/* Notes follow the error or warning they belong to. */
typedef struct jc_diagnostics {
    jc_diagnostic *items;
    uint32_t count;
    uint32_t capacity;
    uint32_t error_count;      /* all errors, recorded or not */
    uint32_t warning_count;    /* all warnings, recorded or not */
    uint32_t unrecorded_count; /* errors and warnings past JC_MAX_DIAGNOSTICS */
    bool out_of_memory;        /* a diagnostic could not be recorded */
    bool last_primary_dropped; /* so its notes are dropped too */
} jc_diagnostics;

#if defined(__GNUC__)
#define JC_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define JC_PRINTF(f, a)
#endif

void jc_diagnostics_free(jc_diagnostics *diagnostics);
void jc_error(jc_diagnostics *diagnostics, jc_span span, const char *format, ...) JC_PRINTF(3, 4);
void jc_warning(jc_diagnostics *diagnostics, jc_span span, const char *format, ...) JC_PRINTF(3, 4);
/* A note on the most recent error or warning. */
void jc_note(jc_diagnostics *diagnostics, jc_span span, const char *format, ...) JC_PRINTF(3, 4);
void jc_diagnosticv(jc_diagnostics *diagnostics, jc_severity severity, jc_span span,
                    const char *format, va_list arguments) JC_PRINTF(4, 0);

typedef enum jc_render_format { JC_RENDER_TEXT, JC_RENDER_JSON } jc_render_format;

typedef struct jc_render_options {
    jc_render_format format;
    bool color;
    bool warnings_are_errors;
} jc_render_options;

/* Writes every diagnostic to out. JSON output is one array in the shape of gcc's
 * -fdiagnostics-format=json (kind, message, locations with caret and finish, children). */
void jc_diagnostics_render(const jc_diagnostics *diagnostics, const jc_sources *sources,
                           const jc_render_options *options, FILE *out);

/* The objects of the JSON array without the brackets, for a caller that puts the
 * diagnostics of several compilations into one array. */
void jc_diagnostics_render_json_items(const jc_diagnostics *diagnostics, const jc_sources *sources,
                                      const jc_render_options *options, FILE *out, bool *first);

#endif
