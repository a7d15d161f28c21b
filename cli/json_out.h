/* json_out.h: a string written as a JSON string, for the command's JSON outputs (the
 * action records of journey sim and the report's JSON). */
#ifndef JOURNEY_JSON_OUT_H
#define JOURNEY_JSON_OUT_H
#include <stddef.h>
#include <stdio.h>

/* Quotes text and escapes '"', '\' and control characters; NULL is written as null. */
void json_out_string(FILE *out, const char *text);
/* The same for length bytes (a NUL among them is escaped too). */
void json_out_bytes(FILE *out, const char *text, size_t length);

#endif
