/* graph_text.c: label text for the journey map. */
#include "graph_text.h"

#include <stdbool.h>
#include <string.h>

/* Strings nest in interpolations up to 16 deep (spec/language.md 1.10): a string and
 * its interpolation take one level each, and the code outside one. */
enum { MAX_NESTING = 2 * 16 + 2 };

/* Characters that may run past the width rather than wrap onto a line alone. */
enum { SHORT_TAIL = 6 };

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static bool is_continuation_byte(char c)
{
    return ((unsigned char)c & 0xC0) == 0x80;
}

/* Copies source text [begin, end) to text as one line (see jc_graph_source_text);
 * returns its length. text has room for end - begin bytes: the result never grows,
 * since a space only ever stands for at least one dropped character. */
static size_t flatten(const char *source, uint32_t begin, uint32_t end, char *text)
{
    /* What encloses the current character, innermost last: code (with the count of its
     * open braces) or a string. */
    bool in_string[MAX_NESTING] = { false };
    uint32_t open_braces[MAX_NESTING] = { 0 };
    int depth = 0;
    size_t length = 0;
    bool pending_space = false;
    for (uint32_t i = begin; i < end; i++) {
        char c = source[i];
        if (in_string[depth]) {
            text[length++] = c;
            if (c == '\\' && i + 1 < end) {
                bool unicode = source[i + 1] == 'u';
                text[length++] = source[++i];
                /* \u{X}: its braces open no interpolation */
                while (unicode && i + 1 < end && source[i] != '}') text[length++] = source[++i];
            } else if (c == '"') {
                depth--;
            } else if (c == '{' && depth + 1 < MAX_NESTING) {
                in_string[++depth] = false;
                open_braces[depth] = 0;
            }
            continue;
        }
        if (c == '/' && i + 1 < end && source[i + 1] == '/') {
            while (i + 1 < end && source[i + 1] != '\n') i++;
            pending_space = true;
            continue;
        }
        if (c == '/' && i + 1 < end && source[i + 1] == '*') {
            i += 2;
            while (i + 1 < end && !(source[i] == '*' && source[i + 1] == '/')) i++;
            i++;
            pending_space = true;
            continue;
        }
        if (is_space(c)) {
            pending_space = true;
            continue;
        }
        if (pending_space && length > 0) text[length++] = ' ';
        pending_space = false;
        text[length++] = c;
        if (c == '"' && depth + 1 < MAX_NESTING) {
            in_string[++depth] = true;
        } else if (c == '{') {
            open_braces[depth]++;
        } else if (c == '}') {
            if (open_braces[depth] > 0) open_braces[depth]--;
            else if (depth > 0) depth--; /* the interpolation ends: back in its string */
        }
    }
    return length;
}

/* Characters (code points) in text[0..length). */
static size_t characters(const char *text, size_t length)
{
    size_t count = 0;
    for (size_t i = 0; i < length; i++)
        if (!is_continuation_byte(text[i])) count++;
    return count;
}

/* Breaks a flat line into lines at spaces, in place, keeping at most
 * JC_GRAPH_MAX_LINES; returns the length kept, and whether text was left out. */
static size_t wrap(char *text, size_t length, bool *cut)
{
    size_t line_start = 0, lines = 1, last_space = SIZE_MAX;
    *cut = false;
    for (size_t i = 0; i < length; i++) {
        if (text[i] == ' ') last_space = i;
        if (characters(text + line_start, i + 1 - line_start) <= JC_GRAPH_LINE_WIDTH || last_space == SIZE_MAX ||
            last_space < line_start)
            continue;
        /* The line is full: break it at its last space, unless what is left is short
         * enough to stay (no line of its own for a closing "}"). */
        if (characters(text + last_space + 1, length - last_space - 1) <= SHORT_TAIL) return length;
        if (lines == JC_GRAPH_MAX_LINES) {
            *cut = true;
            return last_space;
        }
        text[last_space] = '\n';
        line_start = last_space + 1;
        lines++;
    }
    return length;
}

const char *jc_graph_source_text(jc_compiler *compiler, uint32_t file, uint32_t begin, uint32_t end)
{
    const jc_source *source = compiler->sources.items[file];
    if (end > source->length) end = source->length;
    if (begin > end) begin = end;
    static const char ellipsis[] = " \xE2\x80\xA6"; /* " …" */
    char *text = jc_compiler_alloc(compiler, end - begin + sizeof ellipsis);
    if (!text) return "";
    bool cut;
    size_t length = wrap(text, flatten(source->text, begin, end, text), &cut);
    if (cut) {
        memcpy(text + length, ellipsis, sizeof ellipsis);
    } else {
        text[length] = '\0';
    }
    return text;
}

void jc_graph_format_count(uint64_t count, char buffer[32])
{
    char digits[24];
    int length = snprintf(digits, sizeof digits, "%llu", (unsigned long long)count);
    int out = 0;
    for (int i = 0; i < length; i++) {
        if (i > 0 && (length - i) % 3 == 0) buffer[out++] = ',';
        buffer[out++] = digits[i];
    }
    buffer[out] = '\0';
}

void jc_graph_write_escaped(FILE *out, const char *text)
{
    for (const char *p = text; *p; p++) {
        if (*p == '"' || *p == '\\') fputc('\\', out);
        if (*p == '\n') fputs("\\n", out);
        else fputc(*p, out);
    }
}
