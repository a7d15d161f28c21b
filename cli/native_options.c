/* native_options.c: --allow-native and --native-dir (native_options.h). */
#include "native_options.h"

#include <stdlib.h>
#include <string.h>

bool native_options_init(native_options *options, int argc)
{
    options->allowed = calloc((size_t)(argc > 0 ? argc : 1), sizeof *options->allowed);
    options->allowed_count = 0;
    options->library_dir = NULL;
    return options->allowed != NULL;
}

void native_options_free(native_options *options)
{
    free(options->allowed);
    options->allowed = NULL;
    options->allowed_count = 0;
}

/* The value of option `name` in argv[*i], as "name=VALUE" or "name VALUE"; NULL when
 * argv[*i] is not that option, "" when it has no value. */
static const char *option_value(const char *name, int argc, char **argv, int *i)
{
    size_t length = strlen(name);
    const char *argument = argv[*i];
    if (strncmp(argument, name, length) != 0) return NULL;
    if (argument[length] == '=') return argument + length + 1;
    if (argument[length] != '\0') return NULL;
    if (*i + 1 >= argc) return "";
    return argv[++*i];
}

native_option_result native_option_parse(native_options *options, int argc, char **argv, int *i)
{
    const char *library = option_value("--allow-native", argc, argv, i);
    if (library) {
        if (!library[0]) return NATIVE_OPTION_NO_VALUE;
        options->allowed[options->allowed_count++] = library;
        return NATIVE_OPTION_TAKEN;
    }
    const char *directory = option_value("--native-dir", argc, argv, i);
    if (!directory) return NATIVE_OPTION_NOT_MINE;
    if (!directory[0]) return NATIVE_OPTION_NO_VALUE;
    options->library_dir = directory;
    return NATIVE_OPTION_TAKEN;
}

jr_load_options native_load_options(const native_options *options)
{
    return (jr_load_options){
        .allowed_libraries = options->allowed,
        .allowed_library_count = options->allowed_count,
        .library_dir = options->library_dir,
    };
}
