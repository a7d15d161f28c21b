/* disassemble.h: a readable listing of a .jbc file for `journeyc dis`. */
#ifndef JC_DISASSEMBLE_H
#define JC_DISASSEMBLE_H
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "../bytecode/format.h"

/* Writes the listing to out. Returns 0, or -1 with a reason in error when the bytes
 * are not a well-formed .jbc file. */
int jc_disassemble(const uint8_t *bytes, size_t length, FILE *out, char *error, size_t error_size);

#endif
