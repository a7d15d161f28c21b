/* json_out.c: JSON strings for the command's outputs (json_out.h). */
#include "json_out.h"

#include <string.h>

/* Runs of bytes that need no escape go out in one fwrite: this writes every action
 * record of journey sim, so it is on its hot path. */
void json_out_bytes(FILE *out, const char *text, size_t length)
{
    fputc('"', out);
    const unsigned char *p = (const unsigned char *)text, *end = p + length, *run = p;
    for (; p < end; p++) {
        if (*p != '"' && *p != '\\' && *p >= 0x20) continue;
        if (p > run) fwrite(run, 1, (size_t)(p - run), out);
        if (*p == '"' || *p == '\\') fprintf(out, "\\%c", *p);
        else fprintf(out, "\\u%04x", *p);
        run = p + 1;
    }
    if (p > run) fwrite(run, 1, (size_t)(p - run), out);
    fputc('"', out);
}

void json_out_string(FILE *out, const char *text)
{
    if (!text) fputs("null", out);
    else json_out_bytes(out, text, strlen(text));
}
