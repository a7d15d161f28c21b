/* codegen.h: generating bytecode from a checked program. */
#ifndef JC_CODEGEN_H
#define JC_CODEGEN_H
#include "compiler.h"
#include "program.h"

/* Fills program (initialised by the caller) from a compilation without errors.
 * Limits of the format that the program exceeds are reported as errors. */
jc_status jc_generate(jc_compiler *compiler, jc_program *program);

#endif
