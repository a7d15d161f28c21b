/* parser.y: the grammar of the journey language (bison 3.8, pure, with locations).
 *
 * Each rule builds the syntax tree of ast.h and nothing else: names are resolved and
 * types checked later (resolve.c). Every alternative carries a comment of the form
 * `rule -> what it reads`, in the manner of Lua's parser. spec/language.md holds the
 * same grammar as EBNF; tests/spec/check-grammar.sh checks that they agree. */
%require "3.8"
%define api.pure full
%define api.prefix {jc_yy}
%define api.location.type {jc_span}
%define parse.error custom
%define parse.lac full
%locations
%expect 0
%parse-param {jc_lexer *lexer}
%lex-param {jc_lexer *lexer}

%code requires {
#include "ast.h"
typedef struct jc_lexer jc_lexer;
}

%code provides {
int jc_yyparse(jc_lexer *lexer);
const char *jc_parser_symbol_name(int token);
}

%code {
#include <string.h>

#include "lexer.h"

#define jc_yylex jc_lex
/* Bison's default depth, named so the message can say it. */
#define YYMAXDEPTH 10000

/* Bison calls this only when it gives up for want of memory: when a node could not be
 * made (compiler->out_of_memory is then set) or when its stack outgrew YYMAXDEPTH, which
 * is the program's fault, not the machine's. Syntax errors go through
 * yyreport_syntax_error below. */
static void jc_yyerror(jc_span *span, jc_lexer *lexer, const char *message)
{
    (void)message;
    if (lexer->compiler->out_of_memory) return;
    jc_error(&lexer->compiler->diagnostics, *span,
             "nested too deeply: more than %d open brackets, blocks and operators at once", YYMAXDEPTH);
}

#define YYLLOC_DEFAULT(current, rhs, count)                            \
    do {                                                               \
        if (count) {                                                   \
            (current).file = YYRHSLOC(rhs, 1).file;                    \
            (current).begin = YYRHSLOC(rhs, 1).begin;                  \
            (current).end = YYRHSLOC(rhs, count).end;                  \
        } else {                                                       \
            (current).file = YYRHSLOC(rhs, 0).file;                    \
            (current).begin = (current).end = YYRHSLOC(rhs, 0).end;    \
        }                                                              \
    } while (0)

static jc_node *node(jc_lexer *lexer, jc_node_kind kind, jc_span span)
{
    jc_node *made = jc_node_new(&lexer->compiler->arena, kind, span);
    if (!made) lexer->compiler->out_of_memory = true;
    return made;
}
#define NODE(kind, span) node(lexer, JC_NODE_##kind, span)
/* Builds a node and, when memory ran out, gives up on the parse. */
#define MAKE(result, kind, span)                                       \
    do {                                                               \
        (result) = NODE(kind, span);                                   \
        if (!(result)) YYNOMEM;                                        \
    } while (0)

static jc_ref ref(jc_name *name, jc_span span) { return (jc_ref){ name, span, NULL }; }
static jc_list list_of(jc_node *first)
{
    jc_list list = { 0 };
    jc_list_append(&list, first);
    return list;
}
static jc_name *spelled(jc_lexer *lexer, jc_span span)
{
    jc_name *name = jc_compiler_intern(lexer->compiler, (const char *)lexer->start + span.begin,
                                       span.end - span.begin);
    return name;
}
static jc_node *binary(jc_lexer *lexer, jc_operator op, jc_node *left, jc_node *right, jc_span op_span)
{
    if (!left || !right) return left ? left : right;
    jc_node *made = NODE(BINARY, jc_span_join(left->span, right->span));
    if (made) {
        made->as.binary.op = op;
        made->as.binary.left = left;
        made->as.binary.right = right;
        made->as.binary.op_span = op_span;
    }
    return made;
}
static jc_node *block(jc_lexer *lexer, jc_list statements, jc_span span)
{
    jc_node *made = NODE(BLOCK, span);
    if (made) made->as.block.statements = statements;
    return made;
}
}

%initial-action { @$ = (jc_span){ lexer->file, 0, 0 }; }

%union {
    double number;
    int64_t seconds;
    uint32_t time_of_day;
    jc_name *name;
    jc_text text;
    jc_node *node;
    jc_list list;
    jc_type type;
    jc_send_policy policy;
    bool flag;
}

%token <name> IDENTIFIER "identifier"
%token <number> NUMBER "number literal"
%token <number> SIGNED_NUMBER "signed number"
%token <number> PERCENT "percentage"
%token <seconds> DURATION_LITERAL "duration literal"
%token <time_of_day> TIME_OF_DAY "time of day"
%token <text> STRING "string literal"
%token <text> STRING_HEAD "start of an interpolated string"
%token <text> STRING_MID "text between interpolations"
%token <text> STRING_TAIL "end of an interpolated string"
%token EQUAL_EQUAL "=="
%token NOT_EQUAL "!="
%token LESS_EQUAL "<="
%token GREATER_EQUAL ">="
%token ARROW "->"
%token QUESTION_QUESTION "??"
%token IN_LAST "in last"

%token KW_ADD "add"
%token KW_AFTER "after"
%token KW_ALWAYS "always"
%token KW_AND "and"
%token KW_AS "as"
%token KW_ATTRIBUTE "attribute"
%token KW_AUDIENCE "audience"
%token KW_BOOL "bool"
%token KW_CHANNEL "channel"
%token KW_CONTACT "contact"
%token KW_DECAY "decay"
%token KW_DEFER "defer"
%token KW_DURATION "duration"
%token KW_ELSE "else"
%token KW_EMIT "emit"
%token KW_ENTRY "entry"
%token KW_EVENT "event"
%token KW_EVERY "every"
%token KW_EXIT "exit"
%token KW_EXPECT "expect"
%token KW_EXTERN "extern"
%token KW_FALSE "false"
%token KW_FN "fn"
%token KW_FOR "for"
%token KW_GOAL "goal"
%token KW_HOLDOUT "holdout"
%token KW_HOURS "hours"
%token KW_IDENTIFY "identify"
%token KW_IF "if"
%token KW_IMPORT "import"
%token KW_IN "in"
%token KW_JOURNEY "journey"
%token KW_LAST "last"
%token KW_LET "let"
%token KW_LIMIT "limit"
%token KW_MESSAGE "message"
%token KW_NEVER "never"
%token KW_NO "no"
%token KW_NOT "not"
%token KW_NOW "now"
%token KW_NUMBER "number"
%token KW_ON "on"
%token KW_OR "or"
%token KW_PER "per"
%token KW_QUIET "quiet"
%token KW_REENTRY "reentry"
%token KW_REMOVE "remove"
%token KW_REPEAT "repeat"
%token KW_SCORE "score"
%token KW_SEGMENT "segment"
%token KW_SELECT "select"
%token KW_SEND "send"
%token KW_SET "set"
%token KW_SPLIT "split"
%token KW_STEP "step"
%token KW_STRING "string"
%token KW_SUPPRESS "suppress"
%token KW_TEST "test"
%token KW_TIME "time"
%token KW_TO "to"
%token KW_TRACK "track"
%token KW_TRANSACTIONAL "transactional"
%token KW_TRUE "true"
%token KW_UNTIL "until"
%token KW_VALUE "value"
%token KW_WAIT "wait"
%token KW_WAITING "waiting"
%token KW_WHERE "where"
%token KW_WHILE "while"
%token KW_WITH "with"
%token KW_WITHIN "within"

%type <node> declaration event_field score_item journey_item clause statement if_statement
%type <node> select_arm split_arm pair expression primary string block opt_where opt_value
%type <node> opt_initial parameter duration
%type <node> test_step expected_action opt_action_name opt_step_label opt_waiting_for
%type <list> declarations event_fields opt_event_fields event_field_list score_items
%type <list> journey_items select_arms split_arms payload opt_payload pair_list pairs
%type <list> interpolation expression_list channel_list opt_channels parameters parameter_list
%type <list> test_steps opt_with
%type <name> member_name keyword_name function_name
%type <type> type
%type <policy> opt_policy
%type <flag> opt_transactional opt_not

/* Lowest precedence first (as in Python: `not` binds looser than comparisons). */
%left KW_OR
%left KW_AND
%right KW_NOT
%precedence KW_IN
%nonassoc EQUAL_EQUAL NOT_EQUAL '<' '>' LESS_EQUAL GREATER_EQUAL '~'
%left QUESTION_QUESTION
%left '+' '-'
%left '*' '/'
%precedence UNARY_MINUS

%start program

%%

/* program -> { declaration } */
program
    : declarations  { *lexer->declarations = $1; }
    ;

declarations
    : %empty                    { $$ = (jc_list){ 0 }; }
    | declarations declaration  { $$ = $1; jc_list_append(&$$, $2); }
    | declarations error        { $$ = $1; }
    | declarations error block  { $$ = $1; } /* a broken header: skip its body whole */
    ;

declaration
    /* import -> 'import' STRING */
    : KW_IMPORT STRING {
        MAKE($$, IMPORT, @$);
        $$->as.import.path = $2;
        $$->as.import.path_span = @2;
    }
    /* channel -> 'channel' NAME */
    | KW_CHANNEL IDENTIFIER {
        MAKE($$, CHANNEL, @$);
        $$->as.channel.name = $2;
        $$->as.channel.name_span = @2;
    }
    /* attribute -> 'attribute' NAME ':' type [ '=' expression ] */
    | KW_ATTRIBUTE IDENTIFIER ':' type opt_initial {
        MAKE($$, ATTRIBUTE, @$);
        $$->as.attribute.name = $2;
        $$->as.attribute.name_span = @2;
        $$->as.attribute.type = $4;
        $$->as.attribute.type_span = @4;
        $$->as.attribute.initial = $5;
    }
    /* event -> 'event' NAME [ STRING ] [ '{' fields '}' ] */
    | KW_EVENT IDENTIFIER opt_event_fields {
        MAKE($$, EVENT, @$);
        $$->as.event.name = $2;
        $$->as.event.name_span = @2;
        $$->as.event.fields = $3;
    }
    | KW_EVENT IDENTIFIER STRING opt_event_fields {
        MAKE($$, EVENT, @$);
        $$->as.event.name = $2;
        $$->as.event.name_span = @2;
        $$->as.event.external = $3;
        $$->as.event.has_external = true;
        $$->as.event.fields = $4;
    }
    /* score -> 'score' NAME '{' { score_item } '}' */
    | KW_SCORE IDENTIFIER '{' score_items '}' {
        MAKE($$, SCORE, @$);
        $$->as.score.name = $2;
        $$->as.score.name_span = @2;
        $$->as.score.rules = $4;
    }
    /* segment -> 'segment' NAME '=' expression */
    | KW_SEGMENT IDENTIFIER '=' expression {
        MAKE($$, SEGMENT, @$);
        $$->as.segment.name = $2;
        $$->as.segment.name_span = @2;
        $$->as.segment.condition = $4;
    }
    /* limit -> 'limit' CHANNEL NUMBER 'per' DURATION [ policy ] */
    | KW_LIMIT IDENTIFIER NUMBER KW_PER duration opt_policy {
        MAKE($$, LIMIT, @$);
        $$->as.limit.channel = ref($2, @2);
        $$->as.limit.count = $3;
        $$->as.limit.count_span = @3;
        $$->as.limit.period = $5;
        $$->as.limit.policy = $6;
    }
    /* quiet_hours -> 'quiet' 'hours' TIME 'to' TIME [ 'for' CHANNEL { ',' CHANNEL } ] [ policy ] */
    | KW_QUIET KW_HOURS TIME_OF_DAY KW_TO TIME_OF_DAY opt_channels opt_policy {
        MAKE($$, QUIET_HOURS, @$);
        $$->as.quiet_hours.from = $3;
        $$->as.quiet_hours.from_span = @3;
        $$->as.quiet_hours.to = $5;
        $$->as.quiet_hours.to_span = @5;
        $$->as.quiet_hours.channels = $6;
        $$->as.quiet_hours.policy = $7;
    }
    /* message -> 'message' NAME '=' CHANNEL STRING [ 'transactional' ] [ payload ] */
    | KW_MESSAGE IDENTIFIER '=' IDENTIFIER STRING opt_transactional opt_payload {
        MAKE($$, MESSAGE, @$);
        $$->as.message.name = $2;
        $$->as.message.name_span = @2;
        $$->as.message.channel = ref($4, @4);
        $$->as.message.template_name = $5;
        $$->as.message.transactional = $6;
        $$->as.message.fields = $7;
    }
    /* journey -> 'journey' NAME '{' { clause | statement } '}' */
    | KW_JOURNEY IDENTIFIER '{' journey_items '}' {
        MAKE($$, JOURNEY, @$);
        $$->as.journey.name = $2;
        $$->as.journey.name_span = @2;
        $$->as.journey.items = $4;
    }
    /* extern -> 'extern' STRING 'fn' NAME '(' [ parameters ] ')' '->' type */
    | KW_EXTERN STRING KW_FN IDENTIFIER '(' parameters ')' ARROW type {
        MAKE($$, EXTERN, @$);
        $$->as.extern_function.library = $2;
        $$->as.extern_function.name = $4;
        $$->as.extern_function.name_span = @4;
        $$->as.extern_function.parameters = $6;
        $$->as.extern_function.result = $9;
        $$->as.extern_function.result_span = @9;
    }
    /* test -> 'test' STRING '{' { test_step } '}' */
    | KW_TEST STRING '{' test_steps '}' {
        MAKE($$, TEST, @$);
        $$->as.test.name = $2;
        $$->as.test.name_span = @2;
        $$->as.test.steps = $4;
    }
    ;

type
    : KW_STRING    { $$ = JC_TYPE_STRING; }
    | KW_NUMBER    { $$ = JC_TYPE_NUMBER; }
    | KW_BOOL      { $$ = JC_TYPE_BOOL; }
    | KW_TIME      { $$ = JC_TYPE_TIME; }
    | KW_DURATION  { $$ = JC_TYPE_DURATION; }
    ;

opt_initial
    : %empty          { $$ = NULL; }
    | '=' expression  { $$ = $2; }
    ;

opt_event_fields
    : %empty                  { $$ = (jc_list){ 0 }; }
    | '{' event_fields '}'    { $$ = $2; }
    ;

/* fields -> [ field { ',' field } [ ',' ] ] */
event_fields
    : %empty                  { $$ = (jc_list){ 0 }; }
    | event_field_list        { $$ = $1; }
    | event_field_list ','    { $$ = $1; }
    ;

event_field_list
    : event_field                          { $$ = list_of($1); }
    | event_field_list ',' event_field     { $$ = $1; jc_list_append(&$$, $3); }
    ;

/* field -> member_name ':' type */
event_field
    : member_name ':' type {
        MAKE($$, FIELD, @$);
        $$->as.field.name = $1;
        $$->as.field.name_span = @1;
        $$->as.field.type = $3;
        $$->as.field.type_span = @3;
    }
    ;

score_items
    : %empty                    { $$ = (jc_list){ 0 }; }
    | score_items score_item    { $$ = $1; jc_list_append(&$$, $2); }
    | score_items error         { $$ = $1; }
    ;

score_item
    /* score_rule -> 'on' EVENT [ 'where' expression ] SIGNED_NUMBER */
    : KW_ON IDENTIFIER opt_where SIGNED_NUMBER {
        MAKE($$, SCORE_RULE, @$);
        $$->as.score_rule.event = ref($2, @2);
        $$->as.score_rule.where = $3;
        $$->as.score_rule.delta = $4;
        $$->as.score_rule.delta_span = @4;
    }
    /* score_decay -> 'decay' PERCENT 'every' DURATION */
    | KW_DECAY PERCENT KW_EVERY duration {
        MAKE($$, SCORE_DECAY, @$);
        $$->as.score_decay.percent = $2;
        $$->as.score_decay.percent_span = @2;
        $$->as.score_decay.period = $4;
    }
    ;

opt_policy
    : %empty       { $$ = JC_POLICY_DEFAULT; }
    | KW_DEFER     { $$ = JC_POLICY_DEFER; }
    | KW_SUPPRESS  { $$ = JC_POLICY_SUPPRESS; }
    ;

opt_channels
    : %empty                 { $$ = (jc_list){ 0 }; }
    | KW_FOR channel_list    { $$ = $2; }
    ;

channel_list
    : IDENTIFIER {
        jc_node *name;
        MAKE(name, NAME, @1);
        name->as.name.ref = ref($1, @1);
        $$ = list_of(name);
    }
    | channel_list ',' IDENTIFIER {
        jc_node *name;
        MAKE(name, NAME, @3);
        name->as.name.ref = ref($3, @3);
        $$ = $1;
        jc_list_append(&$$, name);
    }
    ;

opt_transactional
    : %empty            { $$ = false; }
    | KW_TRANSACTIONAL  { $$ = true; }
    ;

parameters
    : %empty           { $$ = (jc_list){ 0 }; }
    | parameter_list   { $$ = $1; }
    ;

parameter_list
    : parameter                     { $$ = list_of($1); }
    | parameter_list ',' parameter  { $$ = $1; jc_list_append(&$$, $3); }
    ;

/* parameter -> NAME ':' type */
parameter
    : IDENTIFIER ':' type {
        MAKE($$, PARAMETER, @$);
        $$->as.parameter.name = $1;
        $$->as.parameter.name_span = @1;
        $$->as.parameter.type = $3;
    }
    ;

/* A duration written as a literal, where a declaration needs a constant. */
duration
    : DURATION_LITERAL {
        MAKE($$, DURATION, @$);
        $$->as.duration.seconds = $1;
    }
    ;

/* ---- journeys ---- */

journey_items
    : %empty                      { $$ = (jc_list){ 0 }; }
    | journey_items journey_item  { $$ = $1; jc_list_append(&$$, $2); }
    | journey_items error         { $$ = $1; }
    | journey_items error block   { $$ = $1; } /* e.g. `if { .. }`: skip the block whole */
    ;

journey_item
    : clause     { $$ = $1; }
    | statement  { $$ = $1; }
    ;

clause
    /* entry -> 'entry' EVENT [ 'where' expression ] [ 'as' NAME ] */
    : KW_ENTRY IDENTIFIER opt_where {
        MAKE($$, ENTRY, @$);
        $$->as.entry.event = ref($2, @2);
        $$->as.entry.where = $3;
    }
    | KW_ENTRY IDENTIFIER opt_where KW_AS IDENTIFIER {
        MAKE($$, ENTRY, @$);
        $$->as.entry.event = ref($2, @2);
        $$->as.entry.where = $3;
        $$->as.entry.binding = $5;
        $$->as.entry.binding_span = @5;
    }
    /* entry -> 'entry' 'segment' SEGMENT */
    | KW_ENTRY KW_SEGMENT IDENTIFIER {
        MAKE($$, ENTRY, @$);
        $$->as.entry.event = ref($3, @3);
        $$->as.entry.is_segment = true;
    }
    /* reentry -> 'reentry' ( 'never' | 'always' | 'after' DURATION ) */
    | KW_REENTRY KW_NEVER {
        MAKE($$, REENTRY, @$);
        $$->as.reentry.policy = JC_REENTRY_NEVER;
    }
    | KW_REENTRY KW_ALWAYS {
        MAKE($$, REENTRY, @$);
        $$->as.reentry.policy = JC_REENTRY_ALWAYS;
    }
    | KW_REENTRY KW_AFTER duration {
        MAKE($$, REENTRY, @$);
        $$->as.reentry.policy = JC_REENTRY_AFTER;
        $$->as.reentry.after = $3;
    }
    /* exit_on -> 'exit' 'on' EVENT [ 'where' expression ] */
    | KW_EXIT KW_ON IDENTIFIER opt_where {
        MAKE($$, EXIT_ON, @$);
        $$->as.exit_on.event = ref($3, @3);
        $$->as.exit_on.where = $4;
    }
    /* goal -> 'goal' EVENT [ 'where' expression ] 'within' DURATION [ 'value' expression ] */
    | KW_GOAL IDENTIFIER opt_where KW_WITHIN duration opt_value {
        MAKE($$, GOAL, @$);
        $$->as.goal.event = ref($2, @2);
        $$->as.goal.where = $3;
        $$->as.goal.within = $5;
        $$->as.goal.value = $6;
    }
    /* holdout -> 'holdout' PERCENT */
    | KW_HOLDOUT PERCENT {
        MAKE($$, HOLDOUT, @$);
        $$->as.holdout.percent = $2;
        $$->as.holdout.percent_span = @2;
    }
    ;

opt_where
    : %empty                 { $$ = NULL; }
    | KW_WHERE expression    { $$ = $2; }
    ;

opt_value
    : %empty                 { $$ = NULL; }
    | KW_VALUE expression    { $$ = $2; }
    ;

statement
    /* send -> 'send' MESSAGE [ 'with' payload ] */
    : KW_SEND IDENTIFIER {
        MAKE($$, SEND, @$);
        $$->as.send.message = ref($2, @2);
    }
    | KW_SEND IDENTIFIER KW_WITH payload {
        MAKE($$, SEND, @$);
        $$->as.send.message = ref($2, @2);
        $$->as.send.fields = $4;
    }
    /* wait -> 'wait' expression */
    | KW_WAIT expression {
        MAKE($$, WAIT, @$);
        $$->as.wait.duration = $2;
    }
    /* wait_until -> 'wait' 'until' ( TIME | expression ) */
    | KW_WAIT KW_UNTIL TIME_OF_DAY {
        MAKE($$, WAIT_UNTIL, @$);
        $$->as.wait_until.time_of_day = $3;
        $$->as.wait_until.is_time_of_day = true;
    }
    | KW_WAIT KW_UNTIL expression {
        MAKE($$, WAIT_UNTIL, @$);
        $$->as.wait_until.time = $3;
    }
    /* wait_for -> 'wait' 'for' EVENT [ 'where' expression ] [ 'as' NAME ] [ 'within' expression [ 'else' block ] ] */
    | KW_WAIT KW_FOR IDENTIFIER opt_where {
        MAKE($$, WAIT_FOR, @$);
        $$->as.wait_for.event = ref($3, @3);
        $$->as.wait_for.where = $4;
    }
    | KW_WAIT KW_FOR IDENTIFIER opt_where KW_AS IDENTIFIER {
        MAKE($$, WAIT_FOR, @$);
        $$->as.wait_for.event = ref($3, @3);
        $$->as.wait_for.where = $4;
        $$->as.wait_for.binding = $6;
        $$->as.wait_for.binding_span = @6;
    }
    | KW_WAIT KW_FOR IDENTIFIER opt_where KW_WITHIN expression {
        MAKE($$, WAIT_FOR, @$);
        $$->as.wait_for.event = ref($3, @3);
        $$->as.wait_for.where = $4;
        $$->as.wait_for.within = $6;
    }
    | KW_WAIT KW_FOR IDENTIFIER opt_where KW_WITHIN expression KW_ELSE block {
        MAKE($$, WAIT_FOR, @$);
        $$->as.wait_for.event = ref($3, @3);
        $$->as.wait_for.where = $4;
        $$->as.wait_for.within = $6;
        $$->as.wait_for.otherwise = $8;
    }
    | KW_WAIT KW_FOR IDENTIFIER opt_where KW_AS IDENTIFIER KW_WITHIN expression {
        MAKE($$, WAIT_FOR, @$);
        $$->as.wait_for.event = ref($3, @3);
        $$->as.wait_for.where = $4;
        $$->as.wait_for.binding = $6;
        $$->as.wait_for.binding_span = @6;
        $$->as.wait_for.within = $8;
    }
    | KW_WAIT KW_FOR IDENTIFIER opt_where KW_AS IDENTIFIER KW_WITHIN expression KW_ELSE block {
        MAKE($$, WAIT_FOR, @$);
        $$->as.wait_for.event = ref($3, @3);
        $$->as.wait_for.where = $4;
        $$->as.wait_for.binding = $6;
        $$->as.wait_for.binding_span = @6;
        $$->as.wait_for.within = $8;
        $$->as.wait_for.otherwise = $10;
    }
    /* select -> 'select' '{' { select_arm } '}' */
    | KW_SELECT '{' select_arms '}' {
        MAKE($$, SELECT, @$);
        $$->as.select.arms = $3;
    }
    | if_statement { $$ = $1; }
    /* split -> 'split' STRING '{' { split_arm } '}' */
    | KW_SPLIT STRING '{' split_arms '}' {
        MAKE($$, SPLIT, @$);
        $$->as.split.name = $2;
        $$->as.split.name_span = @2;
        $$->as.split.arms = $4;
    }
    /* set -> 'set' NAME '=' expression */
    | KW_SET IDENTIFIER '=' expression {
        MAKE($$, SET, @$);
        $$->as.set.target = ref($2, @2);
        $$->as.set.value = $4;
    }
    /* let -> 'let' NAME '=' expression */
    | KW_LET IDENTIFIER '=' expression {
        MAKE($$, LET, @$);
        $$->as.let.name = $2;
        $$->as.let.name_span = @2;
        $$->as.let.value = $4;
    }
    /* audience -> 'audience' ( 'add' | 'remove' ) STRING */
    | KW_AUDIENCE KW_ADD STRING {
        MAKE($$, AUDIENCE, @$);
        $$->as.audience.add = true;
        $$->as.audience.name = $3;
        $$->as.audience.name_span = @3;
    }
    | KW_AUDIENCE KW_REMOVE STRING {
        MAKE($$, AUDIENCE, @$);
        $$->as.audience.name = $3;
        $$->as.audience.name_span = @3;
    }
    /* emit -> 'emit' NAME [ payload ] */
    | KW_EMIT IDENTIFIER opt_payload {
        MAKE($$, EMIT, @$);
        $$->as.emit.name = $2;
        $$->as.emit.name_span = @2;
        $$->as.emit.fields = $3;
    }
    /* track -> 'track' EVENT [ payload ] */
    | KW_TRACK IDENTIFIER opt_payload {
        MAKE($$, TRACK, @$);
        $$->as.track.event = ref($2, @2);
        $$->as.track.fields = $3;
    }
    /* step -> 'step' STRING block */
    | KW_STEP STRING block {
        MAKE($$, STEP, @$);
        $$->as.step.label = $2;
        $$->as.step.label_span = @2;
        $$->as.step.body = $3;
    }
    /* repeat -> 'repeat' expression block */
    | KW_REPEAT expression block {
        MAKE($$, REPEAT, @$);
        $$->as.repeat.count = $2;
        $$->as.repeat.body = $3;
    }
    /* while -> 'while' expression block */
    | KW_WHILE expression block {
        MAKE($$, WHILE, @$);
        $$->as.while_loop.condition = $2;
        $$->as.while_loop.body = $3;
    }
    /* exit -> 'exit' */
    | KW_EXIT {
        MAKE($$, EXIT, @$);
    }
    ;

/* if -> 'if' expression block [ 'else' ( block | if ) ] */
if_statement
    : KW_IF expression block {
        MAKE($$, IF, @$);
        $$->as.if_statement.condition = $2;
        $$->as.if_statement.then_branch = $3;
    }
    | KW_IF expression block KW_ELSE block {
        MAKE($$, IF, @$);
        $$->as.if_statement.condition = $2;
        $$->as.if_statement.then_branch = $3;
        $$->as.if_statement.else_branch = $5;
    }
    | KW_IF expression block KW_ELSE if_statement {
        MAKE($$, IF, @$);
        $$->as.if_statement.condition = $2;
        $$->as.if_statement.then_branch = $3;
        $$->as.if_statement.else_branch = $5;
    }
    ;

/* block -> '{' { statement } '}' */
block
    : '{' journey_items '}' {
        $$ = block(lexer, $2, @$);
        if (!$$) YYNOMEM;
    }
    ;

select_arms
    : %empty                  { $$ = (jc_list){ 0 }; }
    | select_arms select_arm  { $$ = $1; jc_list_append(&$$, $2); }
    | select_arms error       { $$ = $1; }
    | select_arms error block { $$ = $1; }
    ;

select_arm
    /* select_arm -> 'on' EVENT [ 'where' expression ] [ 'as' NAME ] block */
    : KW_ON IDENTIFIER opt_where block {
        MAKE($$, SELECT_ON, @$);
        $$->as.select_on.event = ref($2, @2);
        $$->as.select_on.where = $3;
        $$->as.select_on.body = $4;
    }
    | KW_ON IDENTIFIER opt_where KW_AS IDENTIFIER block {
        MAKE($$, SELECT_ON, @$);
        $$->as.select_on.event = ref($2, @2);
        $$->as.select_on.where = $3;
        $$->as.select_on.binding = $5;
        $$->as.select_on.binding_span = @5;
        $$->as.select_on.body = $6;
    }
    /* select_arm -> 'after' expression block */
    | KW_AFTER expression block {
        MAKE($$, SELECT_AFTER, @$);
        $$->as.select_after.duration = $2;
        $$->as.select_after.body = $3;
    }
    ;

split_arms
    : %empty                { $$ = (jc_list){ 0 }; }
    | split_arms split_arm  { $$ = $1; jc_list_append(&$$, $2); }
    | split_arms error      { $$ = $1; }
    | split_arms error block { $$ = $1; }
    ;

/* split_arm -> PERCENT [ STRING ] block */
split_arm
    : PERCENT block {
        MAKE($$, SPLIT_ARM, @$);
        $$->as.split_arm.percent = $1;
        $$->as.split_arm.percent_span = @1;
        $$->as.split_arm.body = $2;
    }
    | PERCENT STRING block {
        MAKE($$, SPLIT_ARM, @$);
        $$->as.split_arm.percent = $1;
        $$->as.split_arm.percent_span = @1;
        $$->as.split_arm.label = $2;
        $$->as.split_arm.has_label = true;
        $$->as.split_arm.body = $3;
    }
    ;

opt_payload
    : %empty    { $$ = (jc_list){ 0 }; }
    | payload   { $$ = $1; }
    ;

/* payload -> '{' [ pair { ',' pair } [ ',' ] ] '}' */
payload
    : '{' pairs '}'  { $$ = $2; }
    ;

pairs
    : %empty          { $$ = (jc_list){ 0 }; }
    | pair_list       { $$ = $1; }
    | pair_list ','   { $$ = $1; }
    ;

pair_list
    : pair                 { $$ = list_of($1); }
    | pair_list ',' pair   { $$ = $1; jc_list_append(&$$, $3); }
    ;

/* ---- tests (spec/testing.md): scenarios run by `journey test`, left out of the bytecode ---- */

test_steps
    : %empty                  { $$ = (jc_list){ 0 }; }
    | test_steps test_step    { $$ = $1; jc_list_append(&$$, $2); }
    | test_steps error        { $$ = $1; }
    ;

test_step
    /* identify -> 'identify' STRING [ payload ] */
    : KW_IDENTIFY STRING opt_payload {
        MAKE($$, TEST_IDENTIFY, @$);
        $$->as.test_identify.contact = $2;
        $$->as.test_identify.contact_span = @2;
        $$->as.test_identify.fields = $3;
    }
    /* test_track -> 'track' STRING EVENT [ payload ] */
    | KW_TRACK STRING IDENTIFIER opt_payload {
        MAKE($$, TEST_TRACK, @$);
        $$->as.test_track.contact = $2;
        $$->as.test_track.contact_span = @2;
        $$->as.test_track.event = ref($3, @3);
        $$->as.test_track.fields = $4;
    }
    /* test_wait -> 'wait' DURATION | 'wait' 'until' STRING */
    | KW_WAIT duration {
        MAKE($$, TEST_WAIT, @$);
        $$->as.test_wait.duration = $2;
    }
    | KW_WAIT KW_UNTIL STRING {
        MAKE($$, TEST_WAIT, @$);
        $$->as.test_wait.until = $3;
        $$->as.test_wait.until_span = @3;
        $$->as.test_wait.is_until = true;
    }
    /* expect -> 'expect' STRING expected_action */
    | KW_EXPECT STRING expected_action {
        $$ = $3;
        $$->span = @$;
        $$->as.expect_action.contact = $2;
        $$->as.expect_action.contact_span = @2;
        $$->as.expect_action.has_contact = true;
    }
    /* expect -> 'expect' 'no' expected_action [ 'to' STRING ] */
    | KW_EXPECT KW_NO expected_action {
        $$ = $3;
        $$->span = @$;
        $$->as.expect_action.negated = true;
    }
    | KW_EXPECT KW_NO expected_action KW_TO STRING {
        $$ = $3;
        $$->span = @$;
        $$->as.expect_action.negated = true;
        $$->as.expect_action.contact = $5;
        $$->as.expect_action.contact_span = @5;
        $$->as.expect_action.has_contact = true;
    }
    /* expect -> 'expect' STRING expression */
    | KW_EXPECT STRING expression {
        MAKE($$, EXPECT_VALUE, @$);
        $$->as.expect_value.contact = $2;
        $$->as.expect_value.contact_span = @2;
        $$->as.expect_value.comparison = $3;
    }
    /* expect -> 'expect' STRING [ 'not' ] 'in' NAME [ 'step' STRING ] [ 'waiting' 'for' EVENT ] */
    | KW_EXPECT STRING opt_not KW_IN IDENTIFIER opt_step_label opt_waiting_for {
        MAKE($$, EXPECT_IN, @$);
        $$->as.expect_in.contact = $2;
        $$->as.expect_in.contact_span = @2;
        $$->as.expect_in.negated = $3;
        $$->as.expect_in.target = ref($5, @5);
        if ($6) {
            $$->as.expect_in.step = $6->as.string;
            $$->as.expect_in.step_span = $6->span;
            $$->as.expect_in.has_step = true;
        }
        if ($7) $$->as.expect_in.waiting_for = $7->as.name.ref;
    }
    /* expect -> 'expect' STRING [ 'not' ] 'in' JOURNEY 'holdout' */
    | KW_EXPECT STRING opt_not KW_IN IDENTIFIER KW_HOLDOUT {
        MAKE($$, EXPECT_IN, @$);
        $$->as.expect_in.contact = $2;
        $$->as.expect_in.contact_span = @2;
        $$->as.expect_in.negated = $3;
        $$->as.expect_in.target = ref($5, @5);
        $$->as.expect_in.holdout = true;
    }
    ;

expected_action
    /* expected_action -> 'send' [ MESSAGE ] [ 'with' payload ] */
    : KW_SEND opt_action_name opt_with {
        MAKE($$, EXPECT_ACTION, @$);
        $$->as.expect_action.kind = JC_EXPECT_SEND;
        if ($2) $$->as.expect_action.name = $2->as.name.ref;
        $$->as.expect_action.fields = $3;
    }
    /* expected_action -> 'emit' [ NAME ] [ 'with' payload ] */
    | KW_EMIT opt_action_name opt_with {
        MAKE($$, EXPECT_ACTION, @$);
        $$->as.expect_action.kind = JC_EXPECT_EMIT;
        if ($2) $$->as.expect_action.name = $2->as.name.ref;
        $$->as.expect_action.fields = $3;
    }
    /* expected_action -> 'track' [ EVENT ] [ 'with' payload ] */
    | KW_TRACK opt_action_name opt_with {
        MAKE($$, EXPECT_ACTION, @$);
        $$->as.expect_action.kind = JC_EXPECT_TRACK;
        if ($2) $$->as.expect_action.name = $2->as.name.ref;
        $$->as.expect_action.fields = $3;
    }
    /* expected_action -> 'audience' ( 'add' | 'remove' ) STRING */
    | KW_AUDIENCE KW_ADD STRING {
        MAKE($$, EXPECT_ACTION, @$);
        $$->as.expect_action.kind = JC_EXPECT_AUDIENCE;
        $$->as.expect_action.add = true;
        $$->as.expect_action.audience = $3;
        $$->as.expect_action.audience_span = @3;
    }
    | KW_AUDIENCE KW_REMOVE STRING {
        MAKE($$, EXPECT_ACTION, @$);
        $$->as.expect_action.kind = JC_EXPECT_AUDIENCE;
        $$->as.expect_action.audience = $3;
        $$->as.expect_action.audience_span = @3;
    }
    ;

/* The name of the message, emit or event an expected action is about, if given. */
opt_action_name
    : %empty      { $$ = NULL; }
    | IDENTIFIER {
        MAKE($$, NAME, @$);
        $$->as.name.ref = ref($1, @1);
    }
    ;

opt_with
    : %empty           { $$ = (jc_list){ 0 }; }
    | KW_WITH payload  { $$ = $2; }
    ;

opt_not
    : %empty   { $$ = false; }
    | KW_NOT   { $$ = true; }
    ;

opt_step_label
    : %empty           { $$ = NULL; }
    | KW_STEP STRING {
        MAKE($$, STRING, @2);
        $$->as.string = $2;
    }
    ;

opt_waiting_for
    : %empty                       { $$ = NULL; }
    | KW_WAITING KW_FOR IDENTIFIER {
        MAKE($$, NAME, @3);
        $$->as.name.ref = ref($3, @3);
    }
    ;

/* pair -> member_name ':' expression */
pair
    : member_name ':' expression {
        MAKE($$, PAIR, @$);
        $$->as.pair.key = $1;
        $$->as.pair.key_span = @1;
        $$->as.pair.value = $3;
    }
    ;

/* ---- expressions ---- */

expression
    : primary                                      { $$ = $1; }
    /* expression -> expression OPERATOR expression */
    | expression KW_OR expression                  { $$ = binary(lexer, JC_OP_OR, $1, $3, @2); }
    | expression KW_AND expression                 { $$ = binary(lexer, JC_OP_AND, $1, $3, @2); }
    | expression EQUAL_EQUAL expression            { $$ = binary(lexer, JC_OP_EQUAL, $1, $3, @2); }
    | expression NOT_EQUAL expression              { $$ = binary(lexer, JC_OP_NOT_EQUAL, $1, $3, @2); }
    | expression '<' expression                    { $$ = binary(lexer, JC_OP_LESS, $1, $3, @2); }
    | expression LESS_EQUAL expression             { $$ = binary(lexer, JC_OP_LESS_EQUAL, $1, $3, @2); }
    | expression '>' expression                    { $$ = binary(lexer, JC_OP_GREATER, $1, $3, @2); }
    | expression GREATER_EQUAL expression          { $$ = binary(lexer, JC_OP_GREATER_EQUAL, $1, $3, @2); }
    | expression '~' expression                    { $$ = binary(lexer, JC_OP_MATCHES, $1, $3, @2); }
    | expression QUESTION_QUESTION expression      { $$ = binary(lexer, JC_OP_DEFAULT, $1, $3, @2); }
    | expression '+' expression                    { $$ = binary(lexer, JC_OP_ADD, $1, $3, @2); }
    | expression '-' expression                    { $$ = binary(lexer, JC_OP_SUBTRACT, $1, $3, @2); }
    | expression '*' expression                    { $$ = binary(lexer, JC_OP_MULTIPLY, $1, $3, @2); }
    | expression '/' expression                    { $$ = binary(lexer, JC_OP_DIVIDE, $1, $3, @2); }
    /* expression -> 'not' expression | '-' expression */
    | KW_NOT expression {
        MAKE($$, UNARY, @$);
        $$->as.unary.op = JC_OP_NOT;
        $$->as.unary.operand = $2;
    }
    | '-' expression %prec UNARY_MINUS {
        MAKE($$, UNARY, @$);
        $$->as.unary.op = JC_OP_NEGATE;
        $$->as.unary.operand = $2;
    }
    /* expression -> expression [ 'not' ] 'in' '[' expression { ',' expression } ']' */
    | expression KW_IN '[' expression_list ']' {
        MAKE($$, IN, @$);
        $$->as.in.operand = $1;
        $$->as.in.candidates = $4;
    }
    | expression KW_NOT KW_IN '[' expression_list ']' %prec KW_IN {
        MAKE($$, IN, @$);
        $$->as.in.operand = $1;
        $$->as.in.candidates = $5;
        $$->as.in.negated = true;
    }
    ;

primary
    /* primary -> NUMBER | SIGNED_NUMBER | PERCENT | DURATION | 'true' | 'false' | 'now' | 'contact' */
    : NUMBER {
        MAKE($$, NUMBER, @$);
        $$->as.number.value = $1;
    }
    | SIGNED_NUMBER {
        MAKE($$, NUMBER, @$);
        $$->as.number.value = $1;
    }
    | PERCENT {
        MAKE($$, PERCENT, @$);
        $$->as.percent.value = $1;
    }
    | DURATION_LITERAL {
        MAKE($$, DURATION, @$);
        $$->as.duration.seconds = $1;
    }
    | KW_TRUE {
        MAKE($$, BOOLEAN, @$);
        $$->as.boolean.value = true;
    }
    | KW_FALSE {
        MAKE($$, BOOLEAN, @$);
        $$->as.boolean.value = false;
    }
    | KW_NOW      { MAKE($$, NOW, @$); }
    | KW_CONTACT  { MAKE($$, CONTACT, @$); }
    | string      { $$ = $1; }
    /* primary -> NAME */
    | IDENTIFIER {
        MAKE($$, NAME, @$);
        $$->as.name.ref = ref($1, @1);
    }
    /* primary -> primary '.' member_name */
    | primary '.' member_name {
        MAKE($$, MEMBER, @$);
        $$->as.member.object = $1;
        $$->as.member.member = $3;
        $$->as.member.member_span = @3;
    }
    /* primary -> NAME '(' [ expression { ',' expression } ] ')' */
    | function_name '(' ')' {
        MAKE($$, CALL, @$);
        $$->as.call.callee = ref($1, @1);
    }
    | function_name '(' expression_list ')' {
        MAKE($$, CALL, @$);
        $$->as.call.callee = ref($1, @1);
        $$->as.call.arguments = $3;
    }
    /* primary -> NAME '(' EVENT [ '.' FIELD ] [ 'where' expression ] [ 'in' 'last' DURATION ] ')' */
    | function_name '(' expression KW_WHERE expression ')' {
        MAKE($$, CALL, @$);
        $$->as.call.callee = ref($1, @1);
        $$->as.call.arguments = list_of($3);
        $$->as.call.where = $5;
        $$->as.call.is_aggregate = true;
    }
    | function_name '(' expression IN_LAST duration ')' {
        MAKE($$, CALL, @$);
        $$->as.call.callee = ref($1, @1);
        $$->as.call.arguments = list_of($3);
        $$->as.call.window = $5;
        $$->as.call.is_aggregate = true;
    }
    | function_name '(' expression KW_WHERE expression IN_LAST duration ')' {
        MAKE($$, CALL, @$);
        $$->as.call.callee = ref($1, @1);
        $$->as.call.arguments = list_of($3);
        $$->as.call.where = $5;
        $$->as.call.window = $7;
        $$->as.call.is_aggregate = true;
    }
    /* primary -> '(' expression ')' */
    | '(' expression ')' {
        $$ = $2;
        if ($$) $$->span = @$;
    }
    ;

/* function_name -> NAME | 'hours': the builtin hours(n) shares its name with the keyword */
function_name
    : IDENTIFIER  { $$ = $1; }
    | KW_HOURS    { $$ = spelled(lexer, @1); if (!$$) YYNOMEM; }
    ;

expression_list
    : expression                      { $$ = list_of($1); }
    | expression_list ',' expression  { $$ = $1; jc_list_append(&$$, $3); }
    ;

/* string -> STRING | STRING_HEAD expression { STRING_MID expression } STRING_TAIL */
string
    : STRING {
        MAKE($$, STRING, @$);
        $$->as.string = $1;
    }
    | STRING_HEAD interpolation STRING_TAIL {
        jc_node *head, *tail;
        MAKE($$, INTERPOLATION, @$);
        MAKE(head, STRING, @1);
        MAKE(tail, STRING, @3);
        head->as.string = $1;
        tail->as.string = $3;
        $$->as.interpolation.parts = list_of(head);
        jc_node *part = $2.first;
        while (part) {
            jc_node *next = part->next;
            jc_list_append(&$$->as.interpolation.parts, part);
            part = next;
        }
        jc_list_append(&$$->as.interpolation.parts, tail);
    }
    ;

interpolation
    : expression {
        $$ = list_of($1);
    }
    | interpolation STRING_MID expression {
        jc_node *middle;
        MAKE(middle, STRING, @2);
        middle->as.string = $2;
        $$ = $1;
        jc_list_append(&$$, middle);
        jc_list_append(&$$, $3);
    }
    ;

/* member_name -> NAME | KEYWORD: a field may be named like a keyword (value, step) */
member_name
    : IDENTIFIER    { $$ = $1; }
    | keyword_name  { $$ = $1; if (!$$) YYNOMEM; }
    ;

keyword_name
    : KW_ADD            { $$ = spelled(lexer, @1); }
    | KW_AFTER          { $$ = spelled(lexer, @1); }
    | KW_ALWAYS         { $$ = spelled(lexer, @1); }
    | KW_AND            { $$ = spelled(lexer, @1); }
    | KW_AS             { $$ = spelled(lexer, @1); }
    | KW_ATTRIBUTE      { $$ = spelled(lexer, @1); }
    | KW_AUDIENCE       { $$ = spelled(lexer, @1); }
    | KW_BOOL           { $$ = spelled(lexer, @1); }
    | KW_CHANNEL        { $$ = spelled(lexer, @1); }
    | KW_CONTACT        { $$ = spelled(lexer, @1); }
    | KW_DECAY          { $$ = spelled(lexer, @1); }
    | KW_DEFER          { $$ = spelled(lexer, @1); }
    | KW_DURATION       { $$ = spelled(lexer, @1); }
    | KW_ELSE           { $$ = spelled(lexer, @1); }
    | KW_EMIT           { $$ = spelled(lexer, @1); }
    | KW_ENTRY          { $$ = spelled(lexer, @1); }
    | KW_EVENT          { $$ = spelled(lexer, @1); }
    | KW_EVERY          { $$ = spelled(lexer, @1); }
    | KW_EXIT           { $$ = spelled(lexer, @1); }
    | KW_EXPECT         { $$ = spelled(lexer, @1); }
    | KW_EXTERN         { $$ = spelled(lexer, @1); }
    | KW_FALSE          { $$ = spelled(lexer, @1); }
    | KW_FN             { $$ = spelled(lexer, @1); }
    | KW_FOR            { $$ = spelled(lexer, @1); }
    | KW_GOAL           { $$ = spelled(lexer, @1); }
    | KW_HOLDOUT        { $$ = spelled(lexer, @1); }
    | KW_HOURS          { $$ = spelled(lexer, @1); }
    | KW_IDENTIFY       { $$ = spelled(lexer, @1); }
    | KW_IF             { $$ = spelled(lexer, @1); }
    | KW_IMPORT         { $$ = spelled(lexer, @1); }
    | KW_IN             { $$ = spelled(lexer, @1); }
    | KW_JOURNEY        { $$ = spelled(lexer, @1); }
    | KW_LAST           { $$ = spelled(lexer, @1); }
    | KW_LET            { $$ = spelled(lexer, @1); }
    | KW_LIMIT          { $$ = spelled(lexer, @1); }
    | KW_MESSAGE        { $$ = spelled(lexer, @1); }
    | KW_NEVER          { $$ = spelled(lexer, @1); }
    | KW_NO             { $$ = spelled(lexer, @1); }
    | KW_NOT            { $$ = spelled(lexer, @1); }
    | KW_NOW            { $$ = spelled(lexer, @1); }
    | KW_NUMBER         { $$ = spelled(lexer, @1); }
    | KW_ON             { $$ = spelled(lexer, @1); }
    | KW_OR             { $$ = spelled(lexer, @1); }
    | KW_PER            { $$ = spelled(lexer, @1); }
    | KW_QUIET          { $$ = spelled(lexer, @1); }
    | KW_REENTRY        { $$ = spelled(lexer, @1); }
    | KW_REMOVE         { $$ = spelled(lexer, @1); }
    | KW_REPEAT         { $$ = spelled(lexer, @1); }
    | KW_SCORE          { $$ = spelled(lexer, @1); }
    | KW_SEGMENT        { $$ = spelled(lexer, @1); }
    | KW_SELECT         { $$ = spelled(lexer, @1); }
    | KW_SEND           { $$ = spelled(lexer, @1); }
    | KW_SET            { $$ = spelled(lexer, @1); }
    | KW_SPLIT          { $$ = spelled(lexer, @1); }
    | KW_STEP           { $$ = spelled(lexer, @1); }
    | KW_STRING         { $$ = spelled(lexer, @1); }
    | KW_SUPPRESS       { $$ = spelled(lexer, @1); }
    | KW_TEST           { $$ = spelled(lexer, @1); }
    | KW_TIME           { $$ = spelled(lexer, @1); }
    | KW_TO             { $$ = spelled(lexer, @1); }
    | KW_TRACK          { $$ = spelled(lexer, @1); }
    | KW_TRANSACTIONAL  { $$ = spelled(lexer, @1); }
    | KW_TRUE           { $$ = spelled(lexer, @1); }
    | KW_UNTIL          { $$ = spelled(lexer, @1); }
    | KW_VALUE          { $$ = spelled(lexer, @1); }
    | KW_WAIT           { $$ = spelled(lexer, @1); }
    | KW_WAITING        { $$ = spelled(lexer, @1); }
    | KW_WHERE          { $$ = spelled(lexer, @1); }
    | KW_WHILE          { $$ = spelled(lexer, @1); }
    | KW_WITH           { $$ = spelled(lexer, @1); }
    | KW_WITHIN         { $$ = spelled(lexer, @1); }
    ;

%%

const char *jc_parser_symbol_name(int token)
{
    return yysymbol_name(YYTRANSLATE(token));
}

/* How a grammar symbol reads in a message: quoted for keywords and punctuation
 * ('wait', '==', '{'), plain words for classes of tokens (identifier, number literal,
 * end of file). Bison names keywords and operators by their spelling and single
 * characters as C character literals. */
static void describe_symbol(yysymbol_kind_t symbol, char *out, size_t size)
{
    const char *name = yysymbol_name(symbol);
    bool is_spelled = (symbol >= YYSYMBOL_EQUAL_EQUAL && symbol <= YYSYMBOL_KW_WITHIN);
    if (is_spelled) snprintf(out, size, "'%s'", name);
    else snprintf(out, size, "%s", name);
}

/* Is the token at span the first on its line? */
static bool starts_line(const jc_lexer *lexer, const jc_span *span)
{
    for (uint32_t i = span->begin; i > 0; i--) {
        unsigned char c = lexer->start[i - 1];
        if (c == '\n') return true;
        if (c != ' ' && c != '\t' && c != '\r') return false;
    }
    return true;
}

static int yyreport_syntax_error(const yypcontext_t *context, jc_lexer *lexer)
{
    /* Every expected token, to know whether a name was; a list of more than
     * MAX_LISTED would mislead more than it helps, so only short ones are printed. */
    enum { MAX_LISTED = 5 };
    yysymbol_kind_t expected[YYNTOKENS];
    int count = yypcontext_expected_tokens(context, expected, YYNTOKENS);
    if (count < 0) return count; /* out of memory */
    yysymbol_kind_t unexpected = yypcontext_token(context);
    const jc_span *span = yypcontext_location(context);

    char message[512];
    size_t used = 0;
    char what[96];
    if (unexpected == YYSYMBOL_IDENTIFIER) {
        snprintf(what, sizeof what, "identifier '%.*s'", (int)(span->end - span->begin > 40 ? 40 : span->end - span->begin),
                 (const char *)lexer->start + span->begin);
    } else {
        describe_symbol(unexpected, what, sizeof what);
    }
    used += (size_t)snprintf(message + used, sizeof message - used, "unexpected %s", what);
    if (count > 0 && count <= MAX_LISTED) {
        used += (size_t)snprintf(message + used, sizeof message - used, ", expected ");
        for (int i = 0; i < count && used < sizeof message; i++) {
            char name[64];
            describe_symbol(expected[i], name, sizeof name);
            used += (size_t)snprintf(message + used, sizeof message - used, "%s%s",
                                     i == 0 ? "" : i == count - 1 ? " or " : ", ", name);
        }
    }
    bool expression_expected = false;
    for (int i = 0; i < count; i++) expression_expected |= expected[i] == YYSYMBOL_NUMBER;
    if (count > MAX_LISTED && expression_expected)
        used += (size_t)snprintf(message + used, sizeof message - used, ", expected an expression");
    else if (unexpected == YYSYMBOL_YYEOF && count > MAX_LISTED)
        for (int i = 0; i < count; i++) {
            if (expected[i] == YYTRANSLATE('}')) {
                snprintf(message + used, sizeof message - used, ": a '{' is still open");
                break;
            }
            if (expected[i] == YYSYMBOL_STRING_TAIL) {
                snprintf(message + used, sizeof message - used, ": an interpolation in a string is still open");
                break;
            }
        }
    jc_error(&lexer->compiler->diagnostics, *span, "%s", message);
    bool operator_expected = false;
    for (int i = 0; i < count; i++) operator_expected |= expected[i] == YYTRANSLATE('+');
    if (unexpected == YYSYMBOL_SIGNED_NUMBER && operator_expected)
        jc_note(&lexer->compiler->diagnostics, *span,
                "a '+' or '-' with a space before it and none after it is the sign of a number; "
                "to add or subtract, write 'a + 5' or 'a+5'");
    else if (unexpected >= YYSYMBOL_KW_ADD && unexpected <= YYSYMBOL_KW_WITHIN && !starts_line(lexer, span)) {
        /* A keyword where a name could be; not when it starts a line, where it more
         * likely begins the next statement after an unfinished one. */
        for (int i = 0; i < count; i++)
            if (expected[i] == YYSYMBOL_IDENTIFIER) {
                jc_note(&lexer->compiler->diagnostics, *span,
                        "%s is a keyword and cannot be a name; a field called %s is read after a dot, as in x.%s",
                        what, what, yysymbol_name(unexpected));
                break;
            }
    }
    return 0;
}

void jc_parse_file(jc_compiler *compiler, uint32_t file, jc_list *declarations)
{
    jc_lexer lexer;
    jc_lexer_init(&lexer, compiler, file);
    lexer.declarations = declarations;
    *declarations = (jc_list){ 0 };
    /* Out of memory, if it was, is already recorded; see jc_yyerror. */
    jc_yyparse(&lexer);
}
