/* native_call.c: CALL_EXTERN, the VM's side of an extern call (natives.h). The
 * arguments go from the stack to jr_native_values, natives.c makes the call, and the
 * result is checked and, for a string, copied into the VM's scratch strings before it
 * goes on the stack. Anything wrong with the call or its result is a run-time error of
 * the caller (spec/language.md 6.10): a number that is NaN or infinite, a string that
 * is NULL, longer than 16 MiB or not valid UTF-8, a failure the native reports. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "json_reader.h"
#include "natives.h"

/* The result string as a scratch string. A native may return a pointer into one of its
 * string arguments, and scratch arguments live in the scratch area, which may move as
 * it grows for the copy: such a result is found again by its offset in the area. */
static uint32_t copy_result(jr_strings *strings, const char *bytes, uint32_t length)
{
    uintptr_t area = (uintptr_t)strings->scratch, at = (uintptr_t)bytes;
    bool in_scratch = strings->scratch && at >= area && at < area + strings->scratch_used;
    size_t offset = in_scratch ? (size_t)(at - area) : 0;
    uint32_t handle;
    char *copy = jr_strings_scratch_reserve(strings, length, &handle);
    if (!copy) return JR_MISSING_STRING;
    if (length) memcpy(copy, in_scratch ? strings->scratch + offset : bytes, length);
    return handle;
}

/* The result as a value, or NULL and the reason it cannot be one. */
static const char *take_result(jr_vm *vm, const jr_native_value *result, jr_value *value)
{
    switch (result->type) {
    case 'n':
        if (isnan(result->as.number)) return "returned NaN";
        if (isinf(result->as.number)) return "returned an infinite number";
        *value = jr_from_number(result->as.number);
        return NULL;
    case 'b': *value = result->as.boolean ? 1 : 0; return NULL;
    default:
        if (result->as.string.length > JR_MAX_NATIVE_STRING) return "returned a string longer than 16 MiB";
        if (!jr_json_validate_utf8(result->as.string.bytes, result->as.string.length))
            return "returned a string that is not valid UTF-8";
        *value = copy_result(&vm->strings, result->as.string.bytes, result->as.string.length);
        return *value == JR_MISSING_STRING ? "could not return its string: out of memory" : NULL;
    }
}

bool jr_call_extern(jr_vm *vm, uint32_t index, jr_value *stack, uint32_t *depth, char *problem, size_t size)
{
    const jr_program *program = vm->program;
    const jr_EXTERNS_record *record = &JR_TABLE(program, EXTERNS)[index];
    const jr_text *parameters = &program->strings[record->parameters];
    /* The verifier saw the arguments on the stack: there are at most JR_MAX_STACK. */
    jr_native_value arguments[JR_MAX_STACK];
    const jr_value *first = stack + *depth - parameters->length;
    for (uint32_t k = 0; k < parameters->length; k++) {
        jr_native_value *argument = &arguments[k];
        argument->type = parameters->bytes[k];
        if (argument->type == 'n') {
            argument->as.number = jr_as_number(first[k]);
        } else if (argument->type == 'b') {
            argument->as.boolean = first[k] == 1;
        } else {
            uint32_t length;
            argument->as.string.bytes = jr_strings_get(&vm->strings, (uint32_t)first[k], &length);
            argument->as.string.length = length;
        }
    }
    jr_native_value result = { .type = (char)record->result };
    jr_error error = { 0 };
    jr_value value = 0;
    const char *reason = jr_natives_invoke(program, index, arguments, &result, &error)
                             ? take_result(vm, &result, &value)
                             : error.message;
    if (reason) {
        snprintf(problem, size, "extern %s in %s %s", program->strings[record->name].bytes,
                 program->strings[record->library].bytes, reason);
        return false;
    }
    *depth -= parameters->length;
    stack[(*depth)++] = value;
    return true;
}
