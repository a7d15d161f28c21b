/* compiler.c: one compilation: reading files, following imports, running the phases. */
#include "compiler.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum { MAX_SOURCE_BYTES = 64 * 1024 * 1024 };

jc_compiler *jc_compiler_new(const jc_options *options)
{
    jc_compiler *compiler = calloc(1, sizeof *compiler);
    if (!compiler) return NULL;
    if (options) compiler->options = *options;
    jc_arena_init(&compiler->arena);
    jc_interner_init(&compiler->names, &compiler->arena);
    compiler->root_file = JC_NO_FILE;
    return compiler;
}

jc_options jc_command_line_options(const char *const *include_dirs, uint32_t include_dir_count,
                                   const char *installed_stdlib)
{
    static char executable[PATH_MAX];
    ssize_t length = readlink("/proc/self/exe", executable, sizeof executable - 1);
    executable[length > 0 ? length : 0] = '\0';
    return (jc_options){
        .include_dirs = include_dirs,
        .include_dir_count = include_dir_count,
        .journey_path = getenv("JOURNEY_PATH"),
        .executable_path = length > 0 ? executable : NULL,
        .installed_stdlib = installed_stdlib,
    };
}

void jc_compiler_free(jc_compiler *compiler)
{
    if (!compiler) return;
    for (jc_module *module = compiler->modules; module;) {
        jc_module *next = module->next;
        free(module->resolved_path);
        free(module);
        module = next;
    }
    jc_diagnostics_free(&compiler->diagnostics);
    jc_sources_free(&compiler->sources);
    jc_interner_free(&compiler->names);
    jc_arena_free(&compiler->arena);
    free(compiler);
}

jc_name *jc_compiler_intern(jc_compiler *compiler, const char *text, size_t length)
{
    jc_name *name = jc_intern(&compiler->names, text, length);
    if (!name) compiler->out_of_memory = true;
    return name;
}

void *jc_compiler_alloc(jc_compiler *compiler, size_t size)
{
    void *memory = jc_arena_alloc(&compiler->arena, size);
    if (!memory) compiler->out_of_memory = true;
    return memory;
}

/* Reads a whole file; on failure returns NULL with errno set (EFBIG when too large). */
static char *read_file(const char *path, uint32_t *length)
{
    FILE *file = fopen(path, "rb");
    if (!file) return NULL;
    struct stat status;
    if (fstat(fileno(file), &status) == 0 && S_ISDIR(status.st_mode)) {
        fclose(file);
        errno = EISDIR;
        return NULL;
    }
    size_t capacity = 4096, used = 0;
    char *text = malloc(capacity + 1);
    while (text) {
        if (used == capacity) {
            /* Room for one byte more than the limit tells a file of exactly the limit
             * from a larger one. */
            if (capacity > MAX_SOURCE_BYTES) {
                free(text);
                fclose(file);
                errno = EFBIG;
                return NULL;
            }
            capacity = capacity * 2 > MAX_SOURCE_BYTES ? (size_t)MAX_SOURCE_BYTES + 1 : capacity * 2;
            char *grown = realloc(text, capacity + 1);
            if (!grown) {
                free(text);
                text = NULL;
                break;
            }
            text = grown;
        }
        size_t got = fread(text + used, 1, capacity - used, file);
        used += got;
        if (got == 0) {
            if (ferror(file)) {
                int saved = errno ? errno : EIO;
                free(text);
                fclose(file);
                errno = saved;
                return NULL;
            }
            break;
        }
    }
    fclose(file);
    if (!text) {
        errno = ENOMEM;
        return NULL;
    }
    text[used] = '\0';
    *length = (uint32_t)used;
    return text;
}

static uint32_t add_source(jc_compiler *compiler, const char *path, char *text, uint32_t length,
                           const char *resolved_path)
{
    uint32_t file = jc_sources_add(&compiler->sources, path, text, length);
    if (file == JC_NO_FILE) {
        compiler->out_of_memory = true;
        return JC_NO_FILE;
    }
    jc_module *module = calloc(1, sizeof *module);
    char *resolved = strdup(resolved_path);
    if (!module || !resolved) {
        free(module);
        free(resolved);
        compiler->out_of_memory = true;
        return file;
    }
    module->resolved_path = resolved;
    module->file = file;
    module->next = compiler->modules;
    compiler->modules = module;
    return file;
}

static const jc_module *find_module(const jc_compiler *compiler, const char *resolved_path)
{
    for (const jc_module *module = compiler->modules; module; module = module->next)
        if (strcmp(module->resolved_path, resolved_path) == 0) return module;
    return NULL;
}

static void parse_imports(jc_compiler *compiler, uint32_t file, jc_list *declarations);

uint32_t jc_load_file(jc_compiler *compiler, const char *path, jc_span import_site)
{
    char resolved[PATH_MAX];
    if (!realpath(path, resolved)) snprintf(resolved, sizeof resolved, "%s", path);
    const jc_module *loaded = find_module(compiler, resolved);
    if (loaded) return loaded->file;
    uint32_t length = 0;
    char *text = read_file(path, &length);
    if (!text) {
        if (errno == EFBIG)
            jc_error(&compiler->diagnostics, import_site, "cannot read '%s': larger than %d MiB", path,
                     MAX_SOURCE_BYTES / (1024 * 1024));
        else
            jc_error(&compiler->diagnostics, import_site, "cannot read '%s': %s", path, strerror(errno));
        return JC_NO_FILE;
    }
    return add_source(compiler, path, text, length, resolved);
}

/* ---- import search ------------------------------------------------------------- */

static bool file_exists(const char *path)
{
    struct stat status;
    return stat(path, &status) == 0 && S_ISREG(status.st_mode);
}

static bool try_directory(char *out, size_t size, const char *directory, size_t directory_length,
                          const char *module)
{
    if (directory_length == 0) return false;
    int written = snprintf(out, size, "%.*s/%s", (int)directory_length, directory, module);
    return written > 0 && (size_t)written < size && file_exists(out);
}

/* Finds the file an import names. Returns false when no candidate exists. */
static bool find_import(const jc_compiler *compiler, const char *importer, const char *name, char *out,
                        size_t size)
{
    char module[PATH_MAX];
    size_t name_length = strlen(name);
    bool has_extension = name_length > 8 && strcmp(name + name_length - 8, ".journey") == 0;
    snprintf(module, sizeof module, "%s%s", name, has_extension ? "" : ".journey");

    const char *slash = strrchr(importer, '/');
    if (strncmp(name, "./", 2) == 0 || strncmp(name, "../", 3) == 0) {
        if (!slash) return try_directory(out, size, ".", 1, module);
        return try_directory(out, size, importer, (size_t)(slash - importer), module);
    }
    if (name[0] == '/') {
        snprintf(out, size, "%s", module);
        return file_exists(out);
    }
    const jc_options *options = &compiler->options;
    for (uint32_t i = 0; i < options->include_dir_count; i++)
        if (try_directory(out, size, options->include_dirs[i], strlen(options->include_dirs[i]), module))
            return true;
    for (const char *p = options->journey_path; p && *p;) {
        const char *end = strchr(p, ':');
        size_t length = end ? (size_t)(end - p) : strlen(p);
        if (try_directory(out, size, p, length, module)) return true;
        p += length + (end ? 1 : 0);
    }
    /* The importing file's own directory ("." when it was named without one). */
    if (slash ? try_directory(out, size, importer, (size_t)(slash - importer), module)
              : try_directory(out, size, ".", 1, module))
        return true;
    if (options->executable_path) {
        const char *exe_slash = strrchr(options->executable_path, '/');
        if (exe_slash) {
            char directory[PATH_MAX];
            static const char *const beside[] = { "/../stdlib", "/../share/journey/stdlib", "/stdlib" };
            for (size_t i = 0; i < sizeof beside / sizeof *beside; i++) {
                int n = snprintf(directory, sizeof directory, "%.*s%s",
                                 (int)(exe_slash - options->executable_path), options->executable_path,
                                 beside[i]);
                if (n > 0 && (size_t)n < sizeof directory &&
                    try_directory(out, size, directory, (size_t)n, module))
                    return true;
            }
        }
    }
    if (options->installed_stdlib &&
        try_directory(out, size, options->installed_stdlib, strlen(options->installed_stdlib), module))
        return true;
    return false;
}

/* Parses a file, loading what it imports first, and appends all declarations. */
static void parse_imports(jc_compiler *compiler, uint32_t file, jc_list *declarations)
{
    jc_list own;
    jc_parse_file(compiler, file, &own);
    for (jc_node *declaration = own.first; declaration; declaration = declaration->next) {
        if (declaration->kind != JC_NODE_IMPORT) continue;
        const jc_text *name = &declaration->as.import.path;
        if (name->length == 0 || memchr(name->bytes, '\0', name->length)) {
            jc_error(&compiler->diagnostics, declaration->as.import.path_span,
                     "an import needs a module name, as in import \"std/email\"");
            continue;
        }
        char path[PATH_MAX];
        const char *importer = compiler->sources.items[file]->path;
        if (!find_import(compiler, importer, name->bytes, path, sizeof path)) {
            jc_error(&compiler->diagnostics, declaration->as.import.path_span,
                     "cannot find module '%s'", name->bytes);
            jc_note(&compiler->diagnostics, declaration->as.import.path_span,
                    "modules are searched in -I directories, JOURNEY_PATH, the importing file's "
                    "directory and the standard library");
            continue;
        }
        char resolved[PATH_MAX];
        if (!realpath(path, resolved)) snprintf(resolved, sizeof resolved, "%s", path);
        if (find_module(compiler, resolved)) continue;
        /* Name imported files by their real path, relative to the working directory
         * when they lie below it, so diagnostics stay short and stable. */
        char cwd[PATH_MAX];
        const char *display = resolved;
        size_t cwd_length = getcwd(cwd, sizeof cwd) ? strlen(cwd) : 0;
        if (cwd_length && strncmp(resolved, cwd, cwd_length) == 0 && resolved[cwd_length] == '/')
            display = resolved + cwd_length + 1;
        uint32_t imported = jc_load_file(compiler, display, declaration->as.import.path_span);
        if (imported != JC_NO_FILE) parse_imports(compiler, imported, declarations);
    }
    /* Append this file's declarations after those of its imports. */
    for (jc_node *declaration = own.first; declaration;) {
        jc_node *next = declaration->next;
        jc_list_append(declarations, declaration);
        declaration = next;
    }
}

/* Diagnostics come from several phases (lexing, parsing, checking); show them in the
 * order of the source, each error or warning with the notes that follow it. */
typedef struct diagnostic_group {
    uint32_t first, count;
    jc_span span;
    uint32_t order;
} diagnostic_group;

static int compare_groups(const void *a, const void *b)
{
    const diagnostic_group *x = a, *y = b;
    if (x->span.file != y->span.file) return x->span.file < y->span.file ? -1 : 1;
    if (x->span.begin != y->span.begin) return x->span.begin < y->span.begin ? -1 : 1;
    return x->order < y->order ? -1 : x->order > y->order;
}

static void sort_diagnostics(jc_diagnostics *diagnostics)
{
    uint32_t group_count = 0;
    for (uint32_t i = 0; i < diagnostics->count; i++)
        if (diagnostics->items[i].severity != JC_SEVERITY_NOTE) group_count++;
    if (group_count < 2) return;
    diagnostic_group *groups = malloc(sizeof *groups * group_count);
    jc_diagnostic *sorted = malloc(sizeof *sorted * diagnostics->count);
    if (!groups || !sorted) {
        free(groups);
        free(sorted);
        return; /* unsorted output is still correct output */
    }
    uint32_t g = 0;
    for (uint32_t i = 0; i < diagnostics->count; i++) {
        if (diagnostics->items[i].severity == JC_SEVERITY_NOTE) {
            if (g) groups[g - 1].count++;
            continue;
        }
        groups[g] = (diagnostic_group){ i, 1, diagnostics->items[i].span, g };
        g++;
    }
    qsort(groups, group_count, sizeof *groups, compare_groups);
    uint32_t out = 0;
    for (uint32_t i = 0; i < group_count; i++)
        for (uint32_t j = 0; j < groups[i].count; j++) sorted[out++] = diagnostics->items[groups[i].first + j];
    memcpy(diagnostics->items, sorted, sizeof *sorted * out);
    free(groups);
    free(sorted);
}

static jc_status finish(jc_compiler *compiler)
{
    if (compiler->root_file != JC_NO_FILE) {
        parse_imports(compiler, compiler->root_file, &compiler->declarations);
        if (!compiler->out_of_memory) jc_resolve(compiler);
    }
    sort_diagnostics(&compiler->diagnostics);
    if (compiler->out_of_memory || compiler->diagnostics.out_of_memory) return JC_NO_MEMORY;
    return compiler->diagnostics.error_count ? JC_ERRORS : JC_OK;
}

jc_status jc_compiler_check_file(jc_compiler *compiler, const char *path)
{
    compiler->root_file = jc_load_file(compiler, path, (jc_span){ JC_NO_FILE, 0, 0 });
    return finish(compiler);
}

jc_status jc_compiler_check_source(jc_compiler *compiler, const char *display_path, const char *text,
                                   uint32_t length)
{
    char *copy = malloc((size_t)length + 1);
    if (!copy) return JC_NO_MEMORY;
    memcpy(copy, text, length);
    copy[length] = '\0';
    compiler->root_file = add_source(compiler, display_path, copy, length, display_path);
    return finish(compiler);
}
