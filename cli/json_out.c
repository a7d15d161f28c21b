/* json_out.c: JSON strings for the command's outputs (json_out.h). */
#include "json_out.h"

#include <string.h>

void json_out_bytes(FILE *out, const char *text, size_t length)
{
    fputc('"', out);
    for (const unsigned char *p = (const unsigned char *)text, *end = p + length; p < end; p++) {
        if (*p == '"' || *p == '\\') fprintf(out, "\\%c", *p);
        else if (*p < 0x20) fprintf(out, "\\u%04x", *p);
        else fputc(*p, out);
    }
    fputc('"', out);
}

void json_out_string(FILE *out, const char *text)
{
    if (!text) fputs("null", out);
    else json_out_bytes(out, text, strlen(text));
}
