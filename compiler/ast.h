/* ast.h: the syntax tree of a journey program.
 *
 * One node type with a kind and a per-kind payload. Every node knows its source span.
 * Lists are singly linked through `next` with first/last/count kept in jc_list, so
 * grammar actions append in O(1). The resolver fills in the `type` of expressions and
 * the `decl` of references; nothing else changes the tree after parsing. */
#ifndef JC_AST_H
#define JC_AST_H
#include <stdbool.h>
#include <stdint.h>

#include "arena.h"
#include "source.h"

typedef struct jc_node jc_node;

typedef struct jc_list {
    jc_node *first;
    jc_node *last;
    uint32_t count;
} jc_list;

/* Value types of the language. */
#define JC_TYPE_LIST(X) \
    X(ERROR, "<error>")  \
    X(VOID, "nothing")   \
    X(NUMBER, "number")  \
    X(STRING, "string")  \
    X(BOOL, "bool")      \
    X(TIME, "time")      \
    X(DURATION, "duration")

typedef enum jc_type {
#define X(name, spelling) JC_TYPE_##name,
    JC_TYPE_LIST(X)
#undef X
} jc_type;

const char *jc_type_name(jc_type type);

/* A use of a declared name: the resolver sets decl. */
typedef struct jc_ref {
    jc_name *name;
    jc_span span;
    jc_node *decl;
} jc_ref;

typedef struct jc_text {
    char *bytes; /* decoded (escapes processed), NUL-terminated */
    uint32_t length;
} jc_text;

/* NODE(kind, description) */
#define JC_NODE_LIST(NODE)                                     \
    /* declarations */                                         \
    NODE(IMPORT, "import")                                     \
    NODE(CHANNEL, "channel")                                   \
    NODE(ATTRIBUTE, "attribute")                               \
    NODE(EVENT, "event")                                       \
    NODE(FIELD, "event field")                                 \
    NODE(SCORE, "score")                                       \
    NODE(SCORE_RULE, "score rule")                             \
    NODE(SCORE_DECAY, "score decay")                           \
    NODE(SEGMENT, "segment")                                   \
    NODE(LIMIT, "limit")                                       \
    NODE(QUIET_HOURS, "quiet hours")                           \
    NODE(MESSAGE, "message")                                   \
    NODE(JOURNEY, "journey")                                   \
    NODE(EXTERN, "extern function")                            \
    NODE(PARAMETER, "parameter")                               \
    NODE(TEST, "test")                                         \
    /* journey clauses */                                      \
    NODE(ENTRY, "entry")                                       \
    NODE(REENTRY, "reentry")                                   \
    NODE(EXIT_ON, "exit on")                                   \
    NODE(GOAL, "goal")                                         \
    NODE(HOLDOUT, "holdout")                                   \
    /* statements */                                           \
    NODE(SEND, "send")                                         \
    NODE(WAIT, "wait")                                         \
    NODE(WAIT_UNTIL, "wait until")                             \
    NODE(WAIT_FOR, "wait for")                                 \
    NODE(SELECT, "select")                                     \
    NODE(SELECT_ON, "select arm")                              \
    NODE(SELECT_AFTER, "select timeout")                       \
    NODE(IF, "if")                                             \
    NODE(SPLIT, "split")                                       \
    NODE(SPLIT_ARM, "split arm")                               \
    NODE(SET, "set")                                           \
    NODE(LET, "let")                                           \
    NODE(AUDIENCE, "audience")                                 \
    NODE(EMIT, "emit")                                         \
    NODE(TRACK, "track")                                       \
    NODE(STEP, "step")                                         \
    NODE(REPEAT, "repeat")                                     \
    NODE(WHILE, "while")                                       \
    NODE(EXIT, "exit")                                         \
    NODE(BLOCK, "block")                                       \
    /* steps of tests (spec/testing.md) */                     \
    NODE(TEST_IDENTIFY, "identify")                            \
    NODE(TEST_TRACK, "test event")                             \
    NODE(TEST_WAIT, "test wait")                               \
    NODE(EXPECT_ACTION, "action expectation")                  \
    NODE(EXPECT_VALUE, "value expectation")                    \
    NODE(EXPECT_IN, "membership expectation")                  \
    /* expressions */                                          \
    NODE(NUMBER, "number")                                     \
    NODE(PERCENT, "percentage")                                \
    NODE(DURATION, "duration")                                 \
    NODE(BOOLEAN, "boolean")                                   \
    NODE(STRING, "string")                                     \
    NODE(INTERPOLATION, "interpolated string")                 \
    NODE(NAME, "name")                                         \
    NODE(MEMBER, "field access")                               \
    NODE(CONTACT, "contact")                                   \
    NODE(NOW, "now")                                           \
    NODE(CALL, "call")                                         \
    NODE(UNARY, "unary operation")                             \
    NODE(BINARY, "binary operation")                           \
    NODE(IN, "membership test")                                \
    /* shared */                                               \
    NODE(PAIR, "key: value")

typedef enum jc_node_kind {
#define NODE(kind, description) JC_NODE_##kind,
    JC_NODE_LIST(NODE)
#undef NODE
    JC_NODE_KIND_COUNT
} jc_node_kind;

const char *jc_node_kind_name(jc_node_kind kind);

/* Operators of unary and binary expressions. */
#define JC_OPERATOR_LIST(X)        \
    X(NEGATE, "-")                 \
    X(NOT, "not")                  \
    X(ADD, "+")                    \
    X(SUBTRACT, "-")               \
    X(MULTIPLY, "*")               \
    X(DIVIDE, "/")                 \
    X(EQUAL, "==")                 \
    X(NOT_EQUAL, "!=")             \
    X(LESS, "<")                   \
    X(LESS_EQUAL, "<=")            \
    X(GREATER, ">")                \
    X(GREATER_EQUAL, ">=")         \
    X(MATCHES, "~")                \
    X(AND, "and")                  \
    X(OR, "or")                    \
    X(DEFAULT, "??")

typedef enum jc_operator {
#define X(name, spelling) JC_OP_##name,
    JC_OPERATOR_LIST(X)
#undef X
} jc_operator;

const char *jc_operator_spelling(jc_operator op);

typedef enum jc_reentry_policy {
    JC_REENTRY_NEVER,
    JC_REENTRY_ALWAYS,
    JC_REENTRY_AFTER,
} jc_reentry_policy;

/* The kinds of action a test expects (spec/testing.md). */
typedef enum jc_expected_kind {
    JC_EXPECT_SEND,
    JC_EXPECT_EMIT,
    JC_EXPECT_TRACK,
    JC_EXPECT_AUDIENCE,
} jc_expected_kind;

typedef enum jc_send_policy {
    JC_POLICY_DEFAULT, /* quiet hours defer, limits suppress */
    JC_POLICY_DEFER,
    JC_POLICY_SUPPRESS,
} jc_send_policy;

/* What a NAME expression turned out to mean. */
typedef enum jc_name_meaning {
    JC_MEANING_UNRESOLVED,
    JC_MEANING_ATTRIBUTE,
    JC_MEANING_SCORE,
    JC_MEANING_SEGMENT,
    JC_MEANING_LOCAL,   /* decl is the LET node */
    JC_MEANING_BINDING, /* decl is the ENTRY/WAIT_FOR/SELECT_ON that binds it */
    JC_MEANING_FIELD,   /* decl is the FIELD of the event being matched */
} jc_name_meaning;

struct jc_node {
    jc_node_kind kind;
    jc_type type; /* of expressions, after checking */
    jc_span span;
    jc_node *next;
    uint32_t index; /* set by codegen: the node's table index or frame slot */
    union {
        struct { jc_text path; jc_span path_span; } import;
        struct { jc_name *name; jc_span name_span; } channel;
        struct { jc_name *name; jc_span name_span; jc_type type; jc_span type_span; jc_node *initial; } attribute;
        struct { jc_name *name; jc_span name_span; jc_text external; bool has_external; jc_list fields; } event;
        struct { jc_name *name; jc_span name_span; jc_type type; jc_span type_span; uint32_t index; } field;
        struct { jc_name *name; jc_span name_span; jc_list rules; } score;
        struct { jc_ref event; jc_node *where; double delta; jc_span delta_span; } score_rule;
        struct { double percent; jc_span percent_span; jc_node *period; } score_decay;
        struct { jc_name *name; jc_span name_span; jc_node *condition; } segment;
        struct { jc_ref channel; double count; jc_span count_span; jc_node *period; jc_send_policy policy; } limit;
        struct { uint32_t from, to; jc_span from_span, to_span; jc_list channels; jc_send_policy policy; } quiet_hours;
        struct { jc_name *name; jc_span name_span; jc_ref channel; jc_text template_name; jc_list fields; bool transactional; } message;
        struct { jc_name *name; jc_span name_span; jc_list items; } journey;
        struct { jc_text library; jc_name *name; jc_span name_span; jc_list parameters; jc_type result; jc_span result_span; } extern_function;
        struct { jc_name *name; jc_span name_span; jc_type type; } parameter;

        struct { jc_ref event; bool is_segment; jc_node *where; jc_name *binding; jc_span binding_span; } entry;
        struct { jc_reentry_policy policy; jc_node *after; } reentry;
        struct { jc_ref event; jc_node *where; } exit_on;
        struct { jc_ref event; jc_node *where; jc_node *within; jc_node *value; } goal;
        struct { double percent; jc_span percent_span; } holdout;

        struct { jc_ref message; jc_list fields; } send;
        struct { jc_node *duration; } wait;
        struct { jc_node *time; uint32_t time_of_day; bool is_time_of_day; } wait_until;
        struct { jc_ref event; jc_node *where; jc_name *binding; jc_span binding_span; jc_node *within; jc_node *otherwise; } wait_for;
        struct { jc_list arms; } select;
        struct { jc_ref event; jc_node *where; jc_name *binding; jc_span binding_span; jc_node *body; } select_on;
        struct { jc_node *duration; jc_node *body; } select_after;
        struct { jc_node *condition; jc_node *then_branch; jc_node *else_branch; } if_statement;
        struct { jc_text name; jc_span name_span; jc_list arms; } split;
        struct { double percent; jc_span percent_span; jc_text label; bool has_label; jc_node *body; } split_arm;
        struct { jc_ref target; jc_node *value; } set;
        struct { jc_name *name; jc_span name_span; jc_node *value; } let;
        struct { bool add; jc_text name; jc_span name_span; } audience;
        struct { jc_name *name; jc_span name_span; jc_list fields; } emit;
        struct { jc_ref event; jc_list fields; } track;
        struct { jc_text label; jc_span label_span; jc_node *body; } step;
        struct { jc_node *count; jc_node *body; } repeat;
        struct { jc_node *condition; jc_node *body; } while_loop;
        struct { jc_list statements; } block;

        /* tests; `contact` is the contact id a step or expectation is about */
        struct { jc_text name; jc_span name_span; jc_list steps; } test;
        struct { jc_text contact; jc_span contact_span; jc_list fields; } test_identify;
        struct { jc_text contact; jc_span contact_span; jc_ref event; jc_list fields; } test_track;
        struct { jc_node *duration; jc_text until; jc_span until_span; bool is_until; } test_wait;
        /* `expect "c" send m with {..}`, or with negated `expect no send m to "c"`, where
         * the contact (has_contact) and the name (name.name) are optional; an audience
         * expectation has add and the audience */
        struct { jc_text contact; jc_span contact_span; bool has_contact; bool negated; jc_expected_kind kind;
                 jc_ref name; bool add; jc_text audience; jc_span audience_span;
                 jc_list fields; } expect_action;
        struct { jc_text contact; jc_span contact_span; jc_node *comparison; } expect_value;
        /* `expect "c" [not] in NAME [step "s"] [waiting for EVENT]`, or `... in J holdout` */
        struct { jc_text contact; jc_span contact_span; bool negated; jc_ref target; jc_text step; jc_span step_span;
                 bool has_step; jc_ref waiting_for; bool holdout; } expect_in;

        struct { double value; bool is_integer; } number;
        struct { double value; } percent;
        struct { int64_t seconds; } duration;
        struct { bool value; } boolean;
        jc_text string;
        struct { jc_list parts; } interpolation;
        struct { jc_ref ref; jc_name_meaning meaning; } name;
        struct { jc_node *object; jc_name *member; jc_span member_span; jc_node *field; /* resolved FIELD, or NULL for contact.x */ jc_name_meaning meaning; jc_node *decl; } member;
        struct { jc_ref callee; jc_list arguments; jc_node *where; jc_node *window; jc_span where_span; int builtin; /* index, or -1 */ bool is_aggregate; jc_node *event; jc_node *event_field; } call;
        struct { jc_operator op; jc_node *operand; } unary;
        struct { jc_operator op; jc_node *left; jc_node *right; jc_span op_span; } binary;
        struct { jc_node *operand; jc_list candidates; bool negated; } in;
        struct { jc_name *key; jc_span key_span; jc_node *value; } pair;
    } as;
};

jc_node *jc_node_new(jc_arena *arena, jc_node_kind kind, jc_span span);
void jc_list_append(jc_list *list, jc_node *node);

/* Calls visit on each statement of a journey's items (clauses included) and, depth
 * first in source order, on the statements, select arms and split arms nested in
 * them. Stops as soon as visit returns true, and then returns true. */
typedef bool (*jc_statement_visitor)(const jc_node *statement, void *context);
bool jc_visit_statements(const jc_list *items, jc_statement_visitor visit, void *context);

#endif
