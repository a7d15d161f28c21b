/* natives.c: extern functions bound when a program loads, and called (natives.h).
 *
 * Each EXTERNS record gets one binding. A host native (jr_load_options.natives) with
 * the same library and name comes first; its signature string must equal the extern's.
 * Otherwise the library must be allowed (jr_load_options.allowed_libraries); it is
 * opened once with dlopen (RTLD_NOW | RTLD_LOCAL), the function found with dlsym, and
 * a libffi call prepared for it: number is a C double, bool a C int (0 or 1), string a
 * const char * (NUL-terminated). A C function cannot tell its signature, so the library
 * must also export it as data, `const char journey_signature_NAME[] = "nsb:n";`, and it
 * must equal the extern's: a mismatch is a load error, not a crash at the first call.
 *
 * Bindings are read-only once the program is loaded: VMs on several threads may call
 * the same native at once, each from the thread that runs it. */
#include <dlfcn.h>
#include <ffi.h>
#include <stdalign.h>
#include <stdio.h>
#include <string.h>

#include "natives.h"

typedef struct binding {
    const char *library;   /* the program's strings */
    const char *name;
    const char *parameters;
    uint32_t arity;
    char result;
    jr_native_fn host;     /* a host native, or NULL */
    void *host_user;
    void *function;        /* from a library */
    ffi_cif call;
} binding;

struct jr_natives {
    jr_allocator allocator;
    binding *bindings;
    ffi_type **argument_types; /* every binding's, one after another */
    void **libraries;          /* dlopen handles, one per distinct library */
    const char **library_names;
    uint32_t library_count;
};

static const char SIGNATURE_PREFIX[] = "journey_signature_";

/* ---- signatures ----------------------------------------------------------------------- */

static bool is_value_type(char letter) { return letter == 'n' || letter == 's' || letter == 'b'; }

static const char *type_name(char letter)
{
    return letter == 'n' ? "number" : letter == 's' ? "string" : "bool";
}

/* Whether text is a signature of at most `limit` bytes: parameter letters, ':', the
 * result letter. Reads at most limit + 1 bytes (a library's text may be unterminated). */
static bool signature_valid(const char *text, size_t limit)
{
    size_t length = strnlen(text, limit + 1);
    if (length < 2 || length > limit || text[length - 2] != ':' || !is_value_type(text[length - 1])) return false;
    for (size_t i = 0; i + 2 < length; i++)
        if (!is_value_type(text[i])) return false;
    return true;
}

/* Whether signature is exactly the binding's, reading no further than needed. */
static bool signature_matches(const char *signature, const binding *b)
{
    for (uint32_t i = 0; i < b->arity; i++)
        if (signature[i] != b->parameters[i]) return false;
    return signature[b->arity] == ':' && signature[b->arity + 1] == b->result && signature[b->arity + 2] == '\0';
}

/* "(number, string) -> bool" from parameter letters and a result letter, cut short
 * with "..." when it would not fit in size (at least 32) bytes. */
static void describe(char *out, size_t size, const char *parameters, size_t arity, char result)
{
    size_t used = (size_t)snprintf(out, size, "(");
    for (size_t i = 0; i < arity; i++) {
        if (used + 24 > size) { /* room for ", ...) -> string" */
            used += (size_t)snprintf(out + used, size - used, ", ...");
            break;
        }
        used += (size_t)snprintf(out + used, size - used, "%s%s", i ? ", " : "", type_name(parameters[i]));
    }
    snprintf(out + used, size - used, ") -> %s", type_name(result));
}

static jr_status mismatch(jr_error *error, const binding *b, const char *whose, const char *signature)
{
    char theirs[96], ours[96];
    size_t length = strlen(signature);
    describe(theirs, sizeof theirs, signature, length - 2, signature[length - 1]);
    describe(ours, sizeof ours, b->parameters, b->arity, b->result);
    return jr_fail(error, JR_ERROR_BYTECODE, "extern %s in %s: %s takes %s, the program declares %s", b->name,
                   b->library, whose, theirs, ours);
}

/* ---- the options ----------------------------------------------------------------------- */

static jr_status check_options(const jr_load_options *options, jr_error *error)
{
    if (!options) return JR_OK;
    if (options->native_count && !options->natives)
        return jr_fail(error, JR_ERROR_ARGUMENT, "load options: natives is NULL but native_count is %u",
                       options->native_count);
    for (uint32_t i = 0; i < options->native_count; i++) {
        const jr_native *native = &options->natives[i];
        if (!native->library || !native->name || !native->signature || !native->function)
            return jr_fail(error, JR_ERROR_ARGUMENT,
                           "load options: native %u lacks its library, name, signature or function", i);
        if (!signature_valid(native->signature, JR_MAX_STACK + 2))
            return jr_fail(error, JR_ERROR_ARGUMENT,
                           "load options: native %s in %s: bad signature \"%.40s\" (parameter letters n, s or b, "
                           "then ':' and the result letter, as \"ns:n\")",
                           native->name, native->library, native->signature);
    }
    if (options->allowed_library_count && !options->allowed_libraries)
        return jr_fail(error, JR_ERROR_ARGUMENT,
                       "load options: allowed_libraries is NULL but allowed_library_count is %u",
                       options->allowed_library_count);
    for (uint32_t i = 0; i < options->allowed_library_count; i++)
        if (!options->allowed_libraries[i])
            return jr_fail(error, JR_ERROR_ARGUMENT, "load options: allowed library %u is NULL", i);
    return JR_OK;
}

/* The first host native registered for the binding's library and name, or NULL. */
static const jr_native *host_native(const jr_load_options *options, const binding *b)
{
    for (uint32_t i = 0; options && i < options->native_count; i++)
        if (strcmp(options->natives[i].library, b->library) == 0 && strcmp(options->natives[i].name, b->name) == 0)
            return &options->natives[i];
    return NULL;
}

static bool library_allowed(const jr_load_options *options, const char *library)
{
    for (uint32_t i = 0; options && i < options->allowed_library_count; i++)
        if (strcmp(options->allowed_libraries[i], library) == 0) return true;
    return false;
}

/* ---- libraries ------------------------------------------------------------------------- */

static char *concatenate(jr_allocator *allocator, const char *first, const char *second, const char *third)
{
    size_t a = strlen(first), b = strlen(second), c = strlen(third);
    char *text = allocator->realloc(allocator->user, NULL, a + b + c + 1);
    if (!text) return NULL;
    memcpy(text, first, a);
    memcpy(text + a, second, b);
    memcpy(text + a + b, third, c + 1);
    return text;
}

/* The handle of the binding's library, opened now unless an earlier extern opened it. */
static jr_status open_library(struct jr_natives *natives, const jr_load_options *options, const binding *b,
                              void **handle, jr_error *error)
{
    for (uint32_t i = 0; i < natives->library_count; i++)
        if (strcmp(natives->library_names[i], b->library) == 0) {
            *handle = natives->libraries[i];
            return JR_OK;
        }
    const char *directory = options->library_dir && options->library_dir[0] ? options->library_dir : NULL;
    char *path = directory ? concatenate(&natives->allocator, directory, "/", b->library) : NULL;
    if (directory && !path) return jr_fail(error, JR_ERROR_MEMORY, "out of memory binding extern functions");
    *handle = dlopen(path ? path : b->library, RTLD_NOW | RTLD_LOCAL);
    if (path) natives->allocator.realloc(natives->allocator.user, path, 0);
    if (!*handle) {
        const char *reason = dlerror();
        return jr_fail(error, JR_ERROR_BYTECODE, "extern %s in %s: cannot open the library: %s", b->name, b->library,
                       reason ? reason : "unknown error");
    }
    natives->libraries[natives->library_count] = *handle;
    natives->library_names[natives->library_count++] = b->library;
    return JR_OK;
}

static ffi_type *ffi_type_of(char letter)
{
    return letter == 'n' ? &ffi_type_double : letter == 's' ? &ffi_type_pointer : &ffi_type_sint;
}

/* Finds the function and its signature in the library, and prepares the call. */
static jr_status bind_library_function(struct jr_natives *natives, const jr_load_options *options, binding *b,
                                       ffi_type **types, jr_error *error)
{
    void *handle;
    jr_status status = open_library(natives, options, b, &handle, error);
    if (status != JR_OK) return status;
    dlerror();
    b->function = dlsym(handle, b->name);
    if (!b->function) {
        const char *reason = dlerror();
        return jr_fail(error, JR_ERROR_BYTECODE, "extern %s in %s: the library has no function %s%s%s", b->name,
                       b->library, b->name, reason ? ": " : "", reason ? reason : "");
    }
    char *symbol = concatenate(&natives->allocator, SIGNATURE_PREFIX, b->name, "");
    if (!symbol) return jr_fail(error, JR_ERROR_MEMORY, "out of memory binding extern functions");
    const char *signature = dlsym(handle, symbol);
    natives->allocator.realloc(natives->allocator.user, symbol, 0);
    char expected[JR_MAX_STACK + 3] = { 0 };
    if (b->arity <= JR_MAX_STACK) {
        memcpy(expected, b->parameters, b->arity);
        expected[b->arity] = ':';
        expected[b->arity + 1] = b->result;
    }
    if (!signature)
        return jr_fail(error, JR_ERROR_BYTECODE,
                       "extern %s in %s: the library does not state the function's signature: it must export "
                       "const char %s%s[] = \"%.60s\"",
                       b->name, b->library, SIGNATURE_PREFIX, b->name, expected);
    if (!signature_matches(signature, b)) {
        if (signature_valid(signature, JR_MAX_STACK + 2))
            return mismatch(error, b, "the library's function", signature);
        return jr_fail(error, JR_ERROR_BYTECODE,
                       "extern %s in %s: %s%s is not a signature (parameter letters n, s or b, then ':' and the "
                       "result letter); the program declares \"%.60s\"",
                       b->name, b->library, SIGNATURE_PREFIX, b->name, expected);
    }
    for (uint32_t k = 0; k < b->arity; k++) types[k] = ffi_type_of(b->parameters[k]);
    if (ffi_prep_cif(&b->call, FFI_DEFAULT_ABI, b->arity, ffi_type_of(b->result), types) != FFI_OK)
        return jr_fail(error, JR_ERROR_BYTECODE, "extern %s in %s: libffi cannot prepare the call", b->name,
                       b->library);
    return JR_OK;
}

static jr_status bind_extern(const jr_program *program, struct jr_natives *natives, uint32_t index,
                             const jr_load_options *options, ffi_type **types, jr_error *error)
{
    const jr_EXTERNS_record *record = &JR_TABLE(program, EXTERNS)[index];
    binding *b = &natives->bindings[index];
    b->library = program->strings[record->library].bytes;
    b->name = program->strings[record->name].bytes;
    b->parameters = program->strings[record->parameters].bytes;
    b->arity = program->strings[record->parameters].length;
    b->result = (char)record->result;
    const jr_native *host = host_native(options, b);
    if (host) {
        if (!signature_matches(host->signature, b)) return mismatch(error, b, "the host's native", host->signature);
        b->host = host->function;
        b->host_user = host->user;
        return JR_OK;
    }
    if (!library_allowed(options, b->library))
        return jr_fail(error, JR_ERROR_BYTECODE,
                       "extern %s in %s: the library is not allowed (allow it with --allow-native=%s, or in "
                       "jr_load_options.allowed_libraries when embedding)",
                       b->name, b->library, b->library);
    return bind_library_function(natives, options, b, types, error);
}

/* ---- binding and freeing ----------------------------------------------------------------- */

static size_t aligned(size_t size) { return (size + alignof(max_align_t) - 1) & ~(alignof(max_align_t) - 1); }

jr_status jr_natives_bind(jr_program *program, const jr_load_options *options, jr_error *error)
{
    program->natives = NULL;
    jr_status status = check_options(options, error);
    uint32_t count = JR_COUNT(program, EXTERNS);
    if (status != JR_OK || count == 0) return status;
    size_t arities = 0;
    for (uint32_t i = 0; i < count; i++) arities += program->strings[JR_TABLE(program, EXTERNS)[i].parameters].length;
    /* One block: the header, the bindings, the argument types, the libraries. */
    size_t header = aligned(sizeof(struct jr_natives)), bindings = aligned(sizeof(binding) * count);
    size_t types = aligned(sizeof(ffi_type *) * arities), libraries = sizeof(void *) * count;
    jr_allocator allocator = program->allocator;
    uint8_t *block = allocator.realloc(allocator.user, NULL, header + bindings + types + 2 * libraries);
    if (!block) return jr_fail(error, JR_ERROR_MEMORY, "out of memory binding extern functions");
    memset(block, 0, header + bindings + types + 2 * libraries);
    struct jr_natives *natives = (struct jr_natives *)block;
    natives->allocator = allocator;
    natives->bindings = (binding *)(block + header);
    natives->argument_types = (ffi_type **)(block + header + bindings);
    natives->libraries = (void **)(block + header + bindings + types);
    natives->library_names = (const char **)(block + header + bindings + types + libraries);
    program->natives = natives;
    ffi_type **next_types = natives->argument_types;
    for (uint32_t i = 0; i < count; i++) {
        status = bind_extern(program, natives, i, options, next_types, error);
        if (status != JR_OK) {
            jr_natives_free(program);
            return status;
        }
        next_types += natives->bindings[i].arity;
    }
    return JR_OK;
}

void jr_natives_free(jr_program *program)
{
    struct jr_natives *natives = program->natives;
    if (!natives) return;
    for (uint32_t i = 0; i < natives->library_count; i++) dlclose(natives->libraries[i]);
    natives->allocator.realloc(natives->allocator.user, natives, 0);
    program->natives = NULL;
}

/* ---- calls --------------------------------------------------------------------------------- */

static bool call_host(const binding *b, const jr_native_value *arguments, jr_native_value *result, jr_error *error)
{
    jr_error failure = { 0 };
    memset(&result->as, 0, sizeof result->as);
    result->type = b->result;
    if (!b->host(b->host_user, arguments, b->arity, result, &failure)) {
        failure.message[sizeof failure.message - 1] = '\0';
        jr_fail(error, JR_ERROR_ARGUMENT, "failed: %s", failure.message[0] ? failure.message : "no reason given");
        return false;
    }
    if (result->type != b->result) {
        jr_fail(error, JR_ERROR_ARGUMENT, "returned a %s instead of the declared %s",
                is_value_type(result->type) ? type_name(result->type) : "value of no type", type_name(b->result));
        return false;
    }
    if (b->result == 's' && !result->as.string.bytes) {
        jr_fail(error, JR_ERROR_ARGUMENT, "returned NULL instead of a string");
        return false;
    }
    return true;
}

static bool call_library(const binding *b, const jr_native_value *arguments, jr_native_value *result, jr_error *error)
{
    /* The verifier saw the arguments on the stack: there are at most JR_MAX_STACK. */
    union {
        double number;
        int boolean;
        const char *string;
    } values[JR_MAX_STACK];
    void *pointers[JR_MAX_STACK];
    for (uint32_t k = 0; k < b->arity; k++) {
        const jr_native_value *argument = &arguments[k];
        if (b->parameters[k] == 'n') values[k].number = argument->as.number;
        else if (b->parameters[k] == 'b') values[k].boolean = argument->as.boolean ? 1 : 0;
        else if (memchr(argument->as.string.bytes, '\0', argument->as.string.length)) {
            jr_fail(error, JR_ERROR_ARGUMENT,
                    "cannot take argument %u: it holds a NUL byte, which a C string cannot carry", k + 1);
            return false;
        } else values[k].string = argument->as.string.bytes;
        pointers[k] = &values[k];
    }
    union {
        double number;
        ffi_arg integer; /* libffi widens small integer results to ffi_arg */
        const char *string;
    } returned;
    ffi_call((ffi_cif *)&b->call, FFI_FN(b->function), &returned, pointers); /* ffi_call only reads the cif */
    result->type = b->result;
    if (b->result == 'n') {
        result->as.number = returned.number;
    } else if (b->result == 'b') {
        result->as.boolean = (int)returned.integer != 0;
    } else {
        if (!returned.string) {
            jr_fail(error, JR_ERROR_ARGUMENT, "returned NULL instead of a string");
            return false;
        }
        size_t length = strnlen(returned.string, (size_t)JR_MAX_NATIVE_STRING + 1);
        result->as.string.bytes = returned.string;
        result->as.string.length = (uint32_t)length;
    }
    return true;
}

bool jr_natives_invoke(const jr_program *program, uint32_t index, const jr_native_value *arguments,
                       jr_native_value *result, jr_error *error)
{
    const binding *b = &program->natives->bindings[index];
    return b->host ? call_host(b, arguments, result, error) : call_library(b, arguments, result, error);
}
