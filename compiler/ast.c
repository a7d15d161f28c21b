/* ast.c: node construction, the names of kinds, types and operators, and a walk over
 * a journey's statements. */
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

static bool visit_statement(const jc_node *statement, jc_statement_visitor visit, void *context)
{
    if (!statement) return false;
    if (visit(statement, context)) return true;
    switch (statement->kind) {
    case JC_NODE_BLOCK: return jc_visit_statements(&statement->as.block.statements, visit, context);
    case JC_NODE_IF:
        return visit_statement(statement->as.if_statement.then_branch, visit, context) ||
               visit_statement(statement->as.if_statement.else_branch, visit, context);
    case JC_NODE_SELECT: return jc_visit_statements(&statement->as.select.arms, visit, context);
    case JC_NODE_SELECT_ON: return visit_statement(statement->as.select_on.body, visit, context);
    case JC_NODE_SELECT_AFTER: return visit_statement(statement->as.select_after.body, visit, context);
    case JC_NODE_SPLIT: return jc_visit_statements(&statement->as.split.arms, visit, context);
    case JC_NODE_SPLIT_ARM: return visit_statement(statement->as.split_arm.body, visit, context);
    case JC_NODE_STEP: return visit_statement(statement->as.step.body, visit, context);
    case JC_NODE_REPEAT: return visit_statement(statement->as.repeat.body, visit, context);
    case JC_NODE_WHILE: return visit_statement(statement->as.while_loop.body, visit, context);
    case JC_NODE_WAIT_FOR: return visit_statement(statement->as.wait_for.otherwise, visit, context);
    default: return false;
    }
}

bool jc_visit_statements(const jc_list *items, jc_statement_visitor visit, void *context)
{
    for (const jc_node *item = items->first; item; item = item->next)
        if (visit_statement(item, visit, context)) return true;
    return false;
}
