/* ast.c: node construction and the names of kinds, types and operators. */
#include "ast.h"

const char *jc_type_name(jc_type type)
{
    static const char *const names[] = {
#define X(name, spelling) spelling,
        JC_TYPE_LIST(X)
#undef X
    };
    return (unsigned)type < sizeof names / sizeof *names ? names[type] : "?";
}

const char *jc_node_kind_name(jc_node_kind kind)
{
    static const char *const names[] = {
#define NODE(kind, description) description,
        JC_NODE_LIST(NODE)
#undef NODE
    };
    return (unsigned)kind < JC_NODE_KIND_COUNT ? names[kind] : "?";
}

const char *jc_operator_spelling(jc_operator op)
{
    static const char *const spellings[] = {
#define X(name, spelling) spelling,
        JC_OPERATOR_LIST(X)
#undef X
    };
    return (unsigned)op < sizeof spellings / sizeof *spellings ? spellings[op] : "?";
}

jc_node *jc_node_new(jc_arena *arena, jc_node_kind kind, jc_span span)
{
    jc_node *node = jc_arena_alloc(arena, sizeof *node);
    if (!node) return NULL;
    node->kind = kind;
    node->type = JC_TYPE_ERROR;
    node->span = span;
    return node;
}

void jc_list_append(jc_list *list, jc_node *node)
{
    if (!node) return;
    node->next = NULL;
    if (list->last) list->last->next = node;
    else list->first = node;
    list->last = node;
    list->count++;
}
