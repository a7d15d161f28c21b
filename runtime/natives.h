/* natives.h: extern functions (spec/language.md 5.11). natives.c binds each extern of a
 * program to a host native or to a function of an allowed shared library when the
 * program loads, and calls it; native_call.c is the VM's side of CALL_EXTERN. Internal. */
#ifndef JR_NATIVES_INTERNAL_H
#define JR_NATIVES_INTERNAL_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vm.h"

/* The longest string a native may return: 16 MiB, as for any string the VM makes. */
#define JR_MAX_NATIVE_STRING (16u * 1024 * 1024)

/* Binds every EXTERNS record of a verified program as options say (NULL: no natives):
 * a host native with the same library and name first, else a function found with
 * dlsym in an allowed library, called through a prepared libffi call. On success the
 * bindings are in program->natives (NULL when the program has no externs); on failure
 * nothing stays allocated or open. JR_ERROR_ARGUMENT: malformed options;
 * JR_ERROR_BYTECODE: an extern cannot be bound (not allowed, not found, signature
 * mismatch); JR_ERROR_MEMORY. */
jr_status jr_natives_bind(jr_program *program, const jr_load_options *options, jr_error *error);

/* Closes the libraries and frees the bindings (jr_program_free). */
void jr_natives_free(jr_program *program);

/* Calls extern `index` with arguments of its declared parameter types (strings
 * NUL-terminated at their length). result->type is the declared result type; on
 * success result holds a value of it (a string result is never NULL and points to
 * memory the native owns: copy it before anything else runs). False when the call
 * fails, with what went wrong in error as the rest of a sentence that begins "extern
 * NAME in LIBRARY " ("failed: no such contact", "returned NULL instead of a string"). */
bool jr_natives_invoke(const jr_program *program, uint32_t index, const jr_native_value *arguments,
                       jr_native_value *result, jr_error *error);

/* CALL_EXTERN (native_call.c): pops the extern's arguments from stack[*depth], calls it
 * and pushes its result. False with the text of a run-time error in problem. */
bool jr_call_extern(jr_vm *vm, uint32_t index, jr_value *stack, uint32_t *depth, char *problem, size_t size);

#endif
