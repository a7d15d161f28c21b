/* format_columns.c: where each token goes on its line (spec/format.md 3.4 and 3.5):
 * one space or none after the token before it, and more where the author lined up
 * tokens of nearby lines, recomputed so the columns stay lined up. */
#include "format_layout.h"

#include <stdlib.h>

/* ---- spaces between tokens ----------------------------------------------------- */

/* Can the token end an operand, so that a '+' or '-' after it is a binary operator? */
static bool ends_operand(const jc_format_layout *layout, uint32_t i)
{
    switch (layout->tokens[i].kind) {
    case IDENTIFIER: case NUMBER: case SIGNED_NUMBER: case PERCENT: case DURATION_LITERAL:
    case TIME_OF_DAY: case STRING: case STRING_TAIL: case ')': case ']':
        return true;
    }
    jc_keyword_group group;
    if (!jc_format_keyword_group(layout->tokens[i].kind, &group)) return false;
    return group == JC_KEYWORD_CONSTANT || jc_format_acts_as_name(layout, i);
}

static bool is_unary_sign(const jc_format_layout *layout, uint32_t i)
{
    const jc_format_token *t = &layout->tokens[i];
    return (t->kind == '+' || t->kind == '-') &&
           (t->previous_code == JC_FORMAT_NO_TOKEN || !ends_operand(layout, t->previous_code));
}

/* Spaces between two tokens on one line: 1 or 0. */
static uint32_t gap_between(const jc_format_layout *layout, uint32_t a, uint32_t b)
{
    int left = layout->tokens[a].kind, right = layout->tokens[b].kind;
    bool tight_right = right == ')' || right == ']' || right == ',' || right == '.' || right == ':' ||
                       right == STRING_MID || right == STRING_TAIL;
    if (right == JC_TOKEN_COMMENT) return 1;
    if (left == JC_TOKEN_COMMENT) return tight_right ? 0 : 1;
    if (left == STRING_HEAD || left == STRING_MID || tight_right) return 0;
    if (left == '(' || left == '[' || left == '.') return 0;
    /* A sign written apart from a number stays apart: -1 would be one signed number. */
    if (is_unary_sign(layout, a)) return right == NUMBER || right == SIGNED_NUMBER ? 1 : 0;
    if (right == '(') return left == IDENTIFIER || left == KW_HOURS ? 0 : 1;
    if (left == '{' && right == '}') return 0;
    return 1;
}

/* ---- alignment groups ---------------------------------------------------------- */

static uint32_t find_group(jc_format_layout *layout, uint32_t i)
{
    jc_format_token *tokens = layout->tokens;
    while (tokens[i].group != i) {
        tokens[i].group = tokens[tokens[i].group].group;
        i = tokens[i].group;
    }
    return i;
}

static void join_groups(jc_format_layout *layout, uint32_t a, uint32_t b)
{
    a = find_group(layout, a);
    b = find_group(layout, b);
    if (a != b) layout->tokens[b].group = a;
}

/* A line between two lined-up tokens that ends before their column: the column must stay
 * right of its end. */
typedef struct passed_line {
    uint32_t candidate; /* the lower of the two tokens */
    uint32_t line;
    uint32_t next;      /* the next passed line of the same group, once grouped */
} passed_line;

typedef struct passed_lines {
    passed_line *items;
    uint32_t count, capacity;
} passed_lines;

/* Joins candidate t (on output line n) with the candidate at its input column on the
 * nearest line above in the same paragraph, looking past lines that end before that
 * column and lines nested deeper than line n (the contents of a payload written over
 * several lines, in a table of messages). */
static bool join_above(jc_format_layout *layout, passed_lines *passed, uint32_t n, uint32_t t)
{
    uint32_t column = layout->tokens[t].column, depth = layout->tokens[layout->lines[n].first].depth;
    uint32_t first_passed = passed->count;
    for (uint32_t m = n; m-- > 0;) {
        const jc_format_line *line = &layout->lines[m];
        if (layout->lines[m + 1].blank_before) break;
        if (layout->tokens[line->first].depth > depth) continue;
        if (!line->verbatim || line->anchor != JC_FORMAT_NO_TOKEN) break;
        for (uint32_t j = line->first; j <= line->last; j++) {
            const jc_format_token *u = &layout->tokens[j];
            if (u->candidate && u->column == column) {
                join_groups(layout, j, t);
                return true;
            }
        }
        if (layout->tokens[line->last].end_column >= column) break;
        if (passed->count == passed->capacity) {
            uint32_t capacity = passed->capacity ? passed->capacity * 2 : 64;
            passed_line *grown = realloc(passed->items, sizeof *grown * capacity);
            if (!grown) return false;
            passed->items = grown;
            passed->capacity = capacity;
        }
        passed->items[passed->count++] = (passed_line){ t, m, JC_FORMAT_NO_TOKEN };
    }
    passed->count = first_passed; /* nothing to line up with: forget the lines passed */
    return true;
}

/* Marks the tokens that may be aligned: a token that follows another on its input line
 * with a one-space gap (padded when the author wrote more), and a comment alone at the
 * start of a line that continues an end-of-line comment of the line above, as in
 *     import "std/email"     // the Segment email events,
 *                            // and unsubscribed
 * and joins candidates that line up. Lines inside a hanging pair take no part: they are
 * placed after the alignment is settled. */
static bool find_candidates(jc_format_layout *layout, passed_lines *passed)
{
    for (uint32_t n = 0; n < layout->line_count; n++) {
        const jc_format_line *line = &layout->lines[n];
        const jc_format_line *above = n && layout->lines[n - 1].verbatim ? &layout->lines[n - 1] : NULL;
        if (!line->verbatim || line->anchor != JC_FORMAT_NO_TOKEN) continue;
        jc_format_token *first = &layout->tokens[line->first];
        const jc_format_token *comment_above = above ? &layout->tokens[above->last] : NULL;
        if (jc_format_is_comment(first) && !first->several_lines && comment_above && comment_above->candidate &&
            jc_format_is_comment(comment_above) && comment_above->column == first->column &&
            comment_above->end_line + 1 == first->line) {
            first->candidate = first->padded = true;
            first->group = line->first;
            join_groups(layout, above->last, line->first);
        }
        for (uint32_t i = line->first + 1; i <= line->last; i++) {
            jc_format_token *t = &layout->tokens[i];
            if (gap_between(layout, i - 1, i) != 1) continue;
            t->candidate = true;
            t->group = i;
            t->padded = t->column >= layout->tokens[i - 1].end_column + 2;
            if (!join_above(layout, passed, n, i)) return false;
        }
    }
    return true;
}

/* ---- placing ------------------------------------------------------------------- */

/* Places the tokens of line n: the first at the indentation, each next one after the gap,
 * or at its group's column once that is known (column_of_group, by group root). */
static void place_line(jc_format_layout *layout, uint32_t n, const uint32_t *column_of_group)
{
    const jc_format_line *line = &layout->lines[n];
    uint32_t end = 0;
    for (uint32_t i = line->first; i <= line->last; i++) {
        jc_format_token *t = &layout->tokens[i];
        uint32_t column = line->level * JC_FORMAT_INDENT_WIDTH;
        if (line->anchor != JC_FORMAT_NO_TOKEN) column += layout->tokens[line->anchor].output_column;
        if (i != line->first) column = end + gap_between(layout, i - 1, i);
        if (t->candidate) {
            uint32_t root = find_group(layout, i);
            if (column_of_group[root] != JC_FORMAT_NO_TOKEN && column_of_group[root] > column)
                column = column_of_group[root];
        }
        t->output_column = column;
        end = column + t->width; /* a comment over several lines ends its line */
    }
}

typedef struct group_order {
    uint32_t root, column;
} group_order;

static int compare_groups(const void *a, const void *b)
{
    const group_order *x = a, *y = b;
    if (x->column != y->column) return x->column < y->column ? -1 : 1;
    return x->root < y->root ? -1 : x->root > y->root;
}

/* The lists the alignment works with, by group root: the members and the passed lines
 * of each group, whether one member is padded, and the column once it is settled. */
typedef struct groups {
    uint32_t *first_passed, *members, *next_member, *column_of_group;
    bool *padded;
    group_order *order;
    uint32_t order_count;
} groups;

static bool make_groups(jc_format_layout *layout, passed_lines *passed, groups *g)
{
    uint32_t size = layout->count + 1;
    g->first_passed = malloc(sizeof *g->first_passed * size);
    g->members = calloc(size, sizeof *g->members);
    g->next_member = malloc(sizeof *g->next_member * size);
    g->column_of_group = malloc(sizeof *g->column_of_group * size);
    g->padded = calloc(size, sizeof *g->padded);
    g->order = malloc(sizeof *g->order * size);
    if (!g->first_passed || !g->members || !g->next_member || !g->column_of_group || !g->padded || !g->order)
        return false;
    for (uint32_t i = 0; i < layout->count; i++) {
        g->column_of_group[i] = g->next_member[i] = g->first_passed[i] = JC_FORMAT_NO_TOKEN;
        if (!layout->tokens[i].candidate) continue;
        uint32_t root = find_group(layout, i);
        if (root != i) {
            g->next_member[i] = g->next_member[root];
            g->next_member[root] = i;
        }
        g->members[root]++;
        g->padded[root] |= layout->tokens[i].padded;
    }
    for (uint32_t p = 0; p < passed->count; p++) {
        uint32_t root = find_group(layout, passed->items[p].candidate);
        passed->items[p].next = g->first_passed[root];
        g->first_passed[root] = p;
    }
    /* A group lines up when it has two members or more, one of them padded. */
    for (uint32_t i = 0; i < layout->count; i++)
        if (layout->tokens[i].candidate && layout->tokens[i].group == i && g->members[i] > 1 && g->padded[i])
            g->order[g->order_count++] = (group_order){ i, layout->tokens[i].column };
    qsort(g->order, g->order_count, sizeof *g->order, compare_groups);
    return true;
}

static void free_groups(groups *g)
{
    free(g->first_passed);
    free(g->members);
    free(g->next_member);
    free(g->column_of_group);
    free(g->padded);
    free(g->order);
}

/* A group lines up at the smallest column that leaves at least one space before each
 * member and lies right of the lines it passes. Groups are settled from the left, so
 * the tokens before a group's members are already where they go. */
bool jc_format_place_columns(jc_format_layout *layout)
{
    passed_lines passed = { 0 };
    groups g = { 0 };
    bool ok = find_candidates(layout, &passed) && make_groups(layout, &passed, &g);
    for (uint32_t k = 0; ok && k < g.order_count; k++) {
        uint32_t root = g.order[k].root, column = 0;
        for (uint32_t i = root; i != JC_FORMAT_NO_TOKEN; i = g.next_member[i]) {
            place_line(layout, layout->tokens[i].output_line, g.column_of_group);
            if (layout->tokens[i].output_column > column) column = layout->tokens[i].output_column;
        }
        for (uint32_t p = g.first_passed[root]; p != JC_FORMAT_NO_TOKEN; p = passed.items[p].next) {
            place_line(layout, passed.items[p].line, g.column_of_group);
            const jc_format_token *last = &layout->tokens[layout->lines[passed.items[p].line].last];
            if (last->output_column + last->width + 1 > column) column = last->output_column + last->width + 1;
        }
        g.column_of_group[root] = column;
    }
    /* In order, so that a hanging pair's anchor is placed before the lines under it. */
    for (uint32_t n = 0; ok && n < layout->line_count; n++) place_line(layout, n, g.column_of_group);
    free(passed.items);
    free_groups(&g);
    return ok;
}
