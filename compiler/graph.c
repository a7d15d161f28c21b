/* graph.c: the journey map as DOT (spec/graph.md).
 *
 * Each journey is a cluster. Its statements are drawn in order as a flow: a statement
 * takes the "open ends" left by what came before (edges waiting for a target, each
 * with its label and count) and leaves its own: one for a plain statement, one per
 * arm for a branch, none after `exit`. Steps are clusters inside it; loops draw their
 * body's open ends back to the loop. Nodes are written as they are met, so that each
 * lands in the right cluster; edges are kept and written at the end of the journey,
 * when the largest count (which scales the pen widths) is known.
 *
 * Node names are "j<journey>_n<number>", the number being the node's index in the
 * report's numbering, and "j<journey>_<role>" for entries, holdout, end and notes. */
#include "graph.h"

#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "graph_match.h"
#include "graph_text.h"

enum { NAME_SIZE = 48, LABEL_SIZE = 1024 };

typedef struct node_name {
    char text[NAME_SIZE];
} node_name;

/* An edge still waiting for its target: whatever the flow reaches next. */
typedef struct open_end {
    node_name from;
    const char *label; /* what the edge means ("yes", "timed out", "50%"), or NULL */
    bool counted;
    uint64_t count;
} open_end;

typedef struct open_ends {
    open_end *items;
    uint32_t count, capacity;
} open_ends;

typedef struct flow_edge {
    node_name from, to;
    const char *label;
    bool counted;
    bool loops_back; /* from the end of a loop's body back to the loop */
    uint64_t count;
} flow_edge;

/* How a kind of node looks. */
typedef struct node_look {
    const char *shape;
    const char *style;
    const char *fill;
    const char *margin; /* NULL: the default; wider where the shape eats into the text */
} node_look;

static const node_look LOOK_ENTRY = { "box", "rounded,filled,bold", "#d9ead3", NULL };
static const node_look LOOK_END = { "box", "rounded,filled", "#d9d9d9", NULL };
static const node_look LOOK_HOLDOUT = { "diamond", "filled", "#eeeeee", NULL };
static const node_look LOOK_CONTROL = { "box", "rounded,dashed", "white", NULL };
static const node_look LOOK_GOAL = { "note", "filled", "#ffe599", NULL };
static const node_look LOOK_EXIT_ON = { "octagon", "filled,dashed", "#f4cccc", NULL };
static const node_look LOOK_SEND = { "box", "filled,bold", "#cfe2f3", NULL };
static const node_look LOOK_WAIT = { "ellipse", "filled", "#fff2cc", NULL };
static const node_look LOOK_DECISION = { "diamond", "filled", "#fce5cd", NULL };
static const node_look LOOK_SPLIT = { "diamond", "filled", "#d9d2e9", NULL };
static const node_look LOOK_REPEAT = { "hexagon", "filled", "#fce5cd", NULL };
static const node_look LOOK_DATA = { "box", "filled", "white", NULL };        /* set, let */
static const node_look LOOK_OUTWARD = { "cds", "filled", "#eeeeee", "0.3,0.06" }; /* audience, emit, track */
static const node_look LOOK_EXIT = { "octagon", "filled", "#f4cccc", NULL };

/* A label being put together, line by line ('\n' between lines). */
typedef struct label {
    char text[LABEL_SIZE];
    size_t length;
} label;

typedef struct graph {
    jc_compiler *compiler;
    const jc_graph_options *options;
    FILE *out;
    uint32_t journey_number;            /* from 1, in the order of declaration */
    const jc_report_journey *counts;    /* the report's figures for this journey, or NULL */
    jc_graph_match match;
    jc_span first_unmatched;            /* the first statement without counts */
    const char *first_unmatched_kind;
    flow_edge *edges;
    uint32_t edge_count, edge_capacity;
    int indent;                         /* of the lines written, in levels of 4 spaces */
    bool out_of_memory;
} graph;

/* ---- writing ------------------------------------------------------------------- */

static void write_line(graph *g, const char *format, ...) JC_PRINTF(2, 3);
static void write_line(graph *g, const char *format, ...)
{
    fprintf(g->out, "%*s", g->indent * 4, "");
    va_list arguments;
    va_start(arguments, format);
    vfprintf(g->out, format, arguments);
    va_end(arguments);
    fputc('\n', g->out);
}

static void add_line(label *text, const char *format, ...) JC_PRINTF(2, 3);
static void add_line(label *text, const char *format, ...)
{
    if (text->length > 0 && text->length + 1 < sizeof text->text) text->text[text->length++] = '\n';
    va_list arguments;
    va_start(arguments, format);
    int written = vsnprintf(text->text + text->length, sizeof text->text - text->length, format, arguments);
    va_end(arguments);
    if (written > 0) text->length += (size_t)written;
    if (text->length >= sizeof text->text) text->length = sizeof text->text - 1;
}

/* A figure of the report: "entered 1,234". */
static void add_figure(label *text, bool *first_on_line, const char *what, uint64_t count)
{
    char number[32];
    jc_graph_format_count(count, number);
    if (*first_on_line) add_line(text, "%s %s", what, number);
    else if (text->length + 1 < sizeof text->text)
        text->length += (size_t)snprintf(text->text + text->length, sizeof text->text - text->length, ", %s %s",
                                         what, number);
    if (text->length >= sizeof text->text) text->length = sizeof text->text - 1;
    *first_on_line = false;
}

/* The report's figures for a statement: where contacts are, what its sends did, and
 * how contacts left it other than by going on. */
static void add_figures(label *text, const jc_report_node *counts, bool is_send)
{
    bool first = true;
    add_figure(text, &first, "entered", counts->entered);
    if (counts->waiting) add_figure(text, &first, "waiting", counts->waiting);
    if (is_send) {
        first = true;
        add_figure(text, &first, "sent", counts->sent);
        if (counts->deferred) add_figure(text, &first, "deferred", counts->deferred);
        if (counts->suppressed) add_figure(text, &first, "suppressed", counts->suppressed);
    }
    first = true;
    if (counts->exited) add_figure(text, &first, "exited", counts->exited);
    if (counts->goals) add_figure(text, &first, "goals", counts->goals);
    if (counts->errors) add_figure(text, &first, "errors", counts->errors);
}

/* Writes a node; greyed out when the report says nobody reached it. */
static void write_node(graph *g, const node_name *name, const node_look *look, const label *text, bool unreached)
{
    fprintf(g->out, "%*s%s [shape=%s, style=\"%s\", fillcolor=\"%s\"", g->indent * 4, "", name->text, look->shape,
            look->style, unreached ? "#f3f3f3" : look->fill);
    if (unreached) fputs(", color=\"#b7b7b7\", fontcolor=\"#999999\"", g->out);
    if (look->margin) fprintf(g->out, ", margin=\"%s\"", look->margin);
    fputs(", label=\"", g->out);
    jc_graph_write_escaped(g->out, text->text);
    fputs("\"];\n", g->out);
}

static void name_node(graph *g, node_name *name, const char *role)
{
    snprintf(name->text, sizeof name->text, "j%" PRIu32 "_%s", g->journey_number, role);
}

/* The name of the statement just numbered. */
static void name_statement(graph *g, node_name *name)
{
    snprintf(name->text, sizeof name->text, "j%" PRIu32 "_n%" PRIu32, g->journey_number, g->match.next_index - 1);
}

static jc_position position_of(graph *g, jc_span span)
{
    return jc_source_position(g->compiler->sources.items[span.file], span.begin);
}

/* ---- open ends and edges ----------------------------------------------------------- */

/* An open end from `from`; counted says whether the report gave its count. */
static void add_end(graph *g, open_ends *ends, const node_name *from, const char *meaning, bool counted,
                    uint64_t count)
{
    if (ends->count == ends->capacity) {
        uint32_t capacity = ends->capacity ? ends->capacity * 2 : 4;
        open_end *items = realloc(ends->items, capacity * sizeof *items);
        if (!items) {
            g->out_of_memory = true;
            return;
        }
        ends->items = items;
        ends->capacity = capacity;
    }
    ends->items[ends->count++] = (open_end){ *from, meaning, counted, count };
}

/* Moves every open end of from into to. */
static void take_ends(graph *g, open_ends *to, open_ends *from)
{
    for (uint32_t i = 0; i < from->count; i++) {
        const open_end *end = &from->items[i];
        add_end(g, to, &end->from, end->label, end->counted, end->count);
    }
    from->count = 0;
}

static void add_edge(graph *g, const open_end *end, const node_name *to, bool loops_back)
{
    if (g->edge_count == g->edge_capacity) {
        uint32_t capacity = g->edge_capacity ? g->edge_capacity * 2 : 32;
        flow_edge *edges = realloc(g->edges, capacity * sizeof *edges);
        if (!edges) {
            g->out_of_memory = true;
            return;
        }
        g->edges = edges;
        g->edge_capacity = capacity;
    }
    g->edges[g->edge_count++] =
        (flow_edge){ end->from, *to, end->label, end->counted, loops_back, end->count };
}

/* Draws every open end to `to`; none are left open. */
static void connect_ends(graph *g, open_ends *ends, const node_name *to, bool loops_back)
{
    for (uint32_t i = 0; i < ends->count; i++) add_edge(g, &ends->items[i], to, loops_back);
    ends->count = 0;
}

/* Starts an edge's next attribute: " [" before the first, ", " before the others. */
static void next_attribute(FILE *out, bool *listing)
{
    fputs(*listing ? ", " : " [", out);
    *listing = true;
}

static void write_edges(graph *g)
{
    uint64_t largest = 0;
    for (uint32_t i = 0; i < g->edge_count; i++)
        if (g->edges[i].counted && g->edges[i].count > largest) largest = g->edges[i].count;
    for (uint32_t i = 0; i < g->edge_count; i++) {
        const flow_edge *edge = &g->edges[i];
        fprintf(g->out, "%*s%s -> %s", g->indent * 4, "", edge->from.text, edge->to.text);
        bool listing = false;
        if (edge->label || edge->counted) {
            char number[32] = "";
            if (edge->counted) jc_graph_format_count(edge->count, number);
            next_attribute(g->out, &listing);
            fputs("label=\"", g->out);
            if (edge->label) jc_graph_write_escaped(g->out, edge->label);
            fprintf(g->out, "%s%s\"", edge->label && edge->counted ? "\\n" : "", number);
        }
        if (edge->counted && edge->count == 0) {
            next_attribute(g->out, &listing);
            fputs("color=\"#b7b7b7\", fontcolor=\"#999999\"", g->out);
        } else if (edge->counted) {
            /* 1 for one contact, 4 for the busiest edge, on a log scale between */
            double width = 1 + 3 * log((double)edge->count) / log(largest > 1 ? (double)largest : 2);
            next_attribute(g->out, &listing);
            fprintf(g->out, "penwidth=%.1f", width);
        }
        if (edge->loops_back) {
            next_attribute(g->out, &listing);
            fputs("style=dashed", g->out);
        }
        fputs(listing ? "];\n" : ";\n", g->out);
    }
    g->edge_count = 0;
}

/* ---- statements ------------------------------------------------------------------ */

static void draw_statements(graph *g, const jc_list *items, open_ends *ends);

static void draw_block(graph *g, const jc_node *block, open_ends *ends)
{
    if (block) draw_statements(g, &block->as.block.statements, ends);
}

static const char *source_text(graph *g, jc_span span, uint32_t end)
{
    return jc_graph_source_text(g->compiler, span.file, span.begin, end);
}

/* Numbers the next statement and returns its counts; remembers the first without. */
static const jc_report_node *statement_counts(graph *g, const jc_node *statement)
{
    jc_position at = position_of(g, statement->span);
    const char *kind = jc_node_kind_name(statement->kind);
    const jc_report_node *counts = jc_graph_match_statement(&g->match, kind, at.line, at.column);
    if (!counts && g->counts && !g->first_unmatched_kind) {
        g->first_unmatched = statement->span;
        g->first_unmatched_kind = kind;
    }
    return counts;
}

/* Numbers the next arm of statement (whose counts are parent) and returns its counts. */
static const jc_report_node *arm_counts(graph *g, const jc_node *statement, const jc_report_node *parent,
                                        uint32_t ordinal, const char *kind)
{
    const jc_report_node *counts = jc_graph_match_arm(&g->match, parent, ordinal, kind);
    if (!counts && g->counts && !g->first_unmatched_kind) {
        g->first_unmatched = statement->span;
        g->first_unmatched_kind = kind;
    }
    return counts;
}

/* Writes a statement's node and draws the open ends to it. */
static void statement_node(graph *g, node_name *name, const node_look *look, const char *header, const char *detail,
                           const jc_report_node *counts, bool is_send, open_ends *ends)
{
    name_statement(g, name);
    label text = { .length = 0 };
    add_line(&text, "%s", header);
    if (detail) add_line(&text, "%s", detail);
    if (counts) add_figures(&text, counts, is_send);
    write_node(g, name, look, &text, counts && counts->entered == 0);
    connect_ends(g, ends, name, false);
}

/* An arm: the open end from its statement, and the statements in its block. */
static void draw_arm(graph *g, const node_name *from, const char *meaning, const jc_report_node *counts,
                     const jc_node *block, open_ends *all_ends)
{
    open_ends ends = { 0 };
    add_end(g, &ends, from, meaning, counts != NULL, counts ? counts->entered : 0);
    draw_block(g, block, &ends);
    take_ends(g, all_ends, &ends);
    free(ends.items);
}

static void draw_send(graph *g, const jc_node *node, const jc_report_node *counts, open_ends *ends)
{
    const jc_node *message = node->as.send.message.decl;
    char detail[256];
    snprintf(detail, sizeof detail, "%s \"%s\"", message->as.message.channel.name->text,
             message->as.message.template_name.bytes);
    node_name name;
    statement_node(g, &name, &LOOK_SEND, source_text(g, node->span, node->span.end), detail, counts, true, ends);
    add_end(g, ends, &name, NULL, counts != NULL, counts ? counts->passed : 0);
}

static void draw_wait_for(graph *g, const jc_node *node, const jc_report_node *counts, open_ends *ends)
{
    /* The header ends with the last of: event, where, binding, within. */
    uint32_t end = node->as.wait_for.event.span.end;
    if (node->as.wait_for.where) end = node->as.wait_for.where->span.end;
    if (node->as.wait_for.binding) end = node->as.wait_for.binding_span.end;
    if (node->as.wait_for.within) end = node->as.wait_for.within->span.end;
    node_name name;
    statement_node(g, &name, &LOOK_WAIT, source_text(g, node->span, end), NULL, counts, false, ends);
    if (!node->as.wait_for.within) {
        add_end(g, ends, &name, NULL, counts != NULL, counts ? counts->passed : 0);
        return;
    }
    draw_arm(g, &name, "received", arm_counts(g, node, counts, 0, "received"), NULL, ends);
    draw_arm(g, &name, "timed out", arm_counts(g, node, counts, 1, "timed out"), node->as.wait_for.otherwise, ends);
}

static void draw_select(graph *g, const jc_node *node, const jc_report_node *counts, open_ends *ends)
{
    node_name name;
    statement_node(g, &name, &LOOK_WAIT, "select: the first of", NULL, counts, false, ends);
    uint32_t ordinal = 0;
    for (const jc_node *arm = node->as.select.arms.first; arm; arm = arm->next, ordinal++) {
        bool is_on = arm->kind == JC_NODE_SELECT_ON;
        const jc_node *body = is_on ? arm->as.select_on.body : arm->as.select_after.body;
        const jc_report_node *taken = arm_counts(g, node, counts, ordinal, is_on ? "on" : "after");
        draw_arm(g, &name, source_text(g, arm->span, body->span.begin), taken, body, ends);
    }
}

static void draw_if(graph *g, const jc_node *node, const jc_report_node *counts, open_ends *ends)
{
    const jc_node *then_branch = node->as.if_statement.then_branch;
    const jc_node *else_branch = node->as.if_statement.else_branch;
    node_name name;
    statement_node(g, &name, &LOOK_DECISION, source_text(g, node->span, then_branch->span.begin), NULL, counts, false,
                   ends);
    draw_arm(g, &name, "yes", arm_counts(g, node, counts, 0, "then"), then_branch, ends);
    const jc_report_node *taken = arm_counts(g, node, counts, 1, "else");
    if (else_branch && else_branch->kind == JC_NODE_IF) {
        /* else if: the arm holds one statement, the inner if */
        open_ends arm = { 0 };
        add_end(g, &arm, &name, "no", taken != NULL, taken ? taken->entered : 0);
        const jc_report_node *inner = statement_counts(g, else_branch);
        draw_if(g, else_branch, inner, &arm);
        take_ends(g, ends, &arm);
        free(arm.items);
    } else {
        draw_arm(g, &name, "no", taken, else_branch, ends);
    }
}

static void draw_split(graph *g, const jc_node *node, const jc_report_node *counts, open_ends *ends)
{
    node_name name;
    statement_node(g, &name, &LOOK_SPLIT, source_text(g, node->span, node->as.split.name_span.end), NULL, counts,
                   false, ends);
    uint32_t ordinal = 0;
    for (const jc_node *arm = node->as.split.arms.first; arm; arm = arm->next, ordinal++) {
        const jc_node *body = arm->as.split_arm.body;
        draw_arm(g, &name, source_text(g, arm->span, body->span.begin), arm_counts(g, node, counts, ordinal, "arm"),
                 body, ends);
    }
}

/* repeat and while: the body's open ends loop back to the statement, and leaving the
 * loop is one open end (the report does not count it apart, so it has no count). */
static void draw_loop(graph *g, const jc_node *node, const jc_report_node *counts, open_ends *ends)
{
    bool is_while = node->kind == JC_NODE_WHILE;
    const jc_node *body = is_while ? node->as.while_loop.body : node->as.repeat.body;
    node_name name;
    statement_node(g, &name, is_while ? &LOOK_DECISION : &LOOK_REPEAT, source_text(g, node->span, body->span.begin),
                   NULL, counts, false, ends);
    const jc_report_node *taken = arm_counts(g, node, counts, 0, "body");
    open_ends body_ends = { 0 };
    add_end(g, &body_ends, &name, is_while ? "yes" : "each time", taken != NULL, taken ? taken->entered : 0);
    draw_block(g, body, &body_ends);
    connect_ends(g, &body_ends, &name, true);
    free(body_ends.items);
    add_end(g, ends, &name, is_while ? "no" : "done", false, 0);
}

/* Opens a step's cluster (kept apart from draw_step so that its label is off the
 * stack while the step's statements, perhaps steps again, are drawn). */
static void open_step(graph *g, const jc_node *node, const jc_report_node *counts)
{
    label text = { .length = 0 };
    add_line(&text, "%s", source_text(g, node->span, node->as.step.body->span.begin));
    if (counts) add_figures(&text, counts, false);
    write_line(g, "subgraph cluster_j%" PRIu32 "_n%" PRIu32 " {", g->journey_number, g->match.next_index - 1);
    g->indent++;
    fprintf(g->out, "%*slabel=\"", g->indent * 4, "");
    jc_graph_write_escaped(g->out, text.text);
    bool unreached = counts && counts->entered == 0;
    fprintf(g->out, "\"; style=\"rounded,dashed\"; color=\"%s\"; fontcolor=\"%s\";\n",
            unreached ? "#b7b7b7" : "#666666", unreached ? "#999999" : "#333333");
}

/* A step: its statements in a cluster of their own; the step has no node. */
static void draw_step(graph *g, const jc_node *node, const jc_report_node *counts, open_ends *ends)
{
    open_step(g, node, counts);
    draw_block(g, node->as.step.body, ends);
    g->indent--;
    write_line(g, "}");
}

static void draw_statement(graph *g, const jc_node *node, open_ends *ends)
{
    const jc_report_node *counts = statement_counts(g, node);
    node_name name;
    switch (node->kind) {
    case JC_NODE_SEND: draw_send(g, node, counts, ends); return;
    case JC_NODE_WAIT_FOR: draw_wait_for(g, node, counts, ends); return;
    case JC_NODE_SELECT: draw_select(g, node, counts, ends); return;
    case JC_NODE_IF: draw_if(g, node, counts, ends); return;
    case JC_NODE_SPLIT: draw_split(g, node, counts, ends); return;
    case JC_NODE_REPEAT:
    case JC_NODE_WHILE: draw_loop(g, node, counts, ends); return;
    case JC_NODE_STEP: draw_step(g, node, counts, ends); return;
    case JC_NODE_EXIT:
        statement_node(g, &name, &LOOK_EXIT, "exit", NULL, counts, false, ends);
        return; /* nothing goes on */
    default: break;
    }
    const node_look *look = &LOOK_DATA;
    if (node->kind == JC_NODE_WAIT || node->kind == JC_NODE_WAIT_UNTIL) look = &LOOK_WAIT;
    else if (node->kind == JC_NODE_AUDIENCE || node->kind == JC_NODE_EMIT || node->kind == JC_NODE_TRACK)
        look = &LOOK_OUTWARD;
    statement_node(g, &name, look, source_text(g, node->span, node->span.end), NULL, counts, false, ends);
    add_end(g, ends, &name, NULL, counts != NULL, counts ? counts->passed : 0);
}

static bool is_clause(const jc_node *node)
{
    switch (node->kind) {
    case JC_NODE_ENTRY: case JC_NODE_REENTRY: case JC_NODE_EXIT_ON: case JC_NODE_GOAL: case JC_NODE_HOLDOUT:
        return true;
    default:
        return false;
    }
}

static void draw_statements(graph *g, const jc_list *items, open_ends *ends)
{
    for (const jc_node *node = items->first; node; node = node->next)
        if (!is_clause(node)) draw_statement(g, node, ends);
}

/* ---- journeys ------------------------------------------------------------------ */

static const jc_report_journey *journey_counts(const jc_graph_options *options, const jc_name *name)
{
    if (!options->counts) return NULL;
    for (uint32_t i = 0; i < options->counts->journey_count; i++)
        if (strcmp(options->counts->journeys[i].name, name->text) == 0) return &options->counts->journeys[i];
    return NULL;
}

static const jc_node *clause_of(const jc_node *journey, jc_node_kind kind)
{
    for (const jc_node *item = journey->as.journey.items.first; item; item = item->next)
        if (item->kind == kind) return item;
    return NULL;
}

static void write_cluster_label(graph *g, const jc_node *journey)
{
    label text = { .length = 0 };
    add_line(&text, "journey %s", journey->as.journey.name->text);
    const jc_node *reentry = clause_of(journey, JC_NODE_REENTRY);
    if (reentry) add_line(&text, "%s", source_text(g, reentry->span, reentry->span.end));
    if (g->counts) {
        bool first = true;
        add_figure(&text, &first, "entered", g->counts->entered);
        if (clause_of(journey, JC_NODE_HOLDOUT)) add_figure(&text, &first, "holdout", g->counts->holdout);
        add_figure(&text, &first, "completed", g->counts->completed);
        add_figure(&text, &first, "exited", g->counts->exited);
        if (clause_of(journey, JC_NODE_GOAL)) add_figure(&text, &first, "goals (treated)", g->counts->goals_treated);
    }
    fprintf(g->out, "%*slabel=\"", g->indent * 4, "");
    jc_graph_write_escaped(g->out, text.text);
    fputs("\"; labelloc=t; fontsize=14; style=rounded; color=\"#999999\";\n", g->out);
}

/* A string in the compilation's arena, for labels kept until the edges are written. */
static const char *kept_text(graph *g, const char *format, ...) JC_PRINTF(2, 3);
static const char *kept_text(graph *g, const char *format, ...)
{
    char text[256];
    va_list arguments;
    va_start(arguments, format);
    vsnprintf(text, sizeof text, format, arguments);
    va_end(arguments);
    char *kept = jc_compiler_alloc(g->compiler, strlen(text) + 1);
    if (!kept) return "";
    return strcpy(kept, text);
}

/* The entries (each an open end), and the holdout that splits the entrants. */
static void draw_entries(graph *g, const jc_node *journey, open_ends *ends)
{
    uint32_t entry_count = 0;
    for (const jc_node *item = journey->as.journey.items.first; item; item = item->next)
        entry_count += item->kind == JC_NODE_ENTRY;
    /* With one entry, everyone who entered came through it. */
    bool entries_counted = g->counts && entry_count == 1;
    uint32_t number = 0;
    for (const jc_node *item = journey->as.journey.items.first; item; item = item->next) {
        if (item->kind != JC_NODE_ENTRY) continue;
        char role[32];
        snprintf(role, sizeof role, "entry%" PRIu32, ++number);
        node_name name;
        name_node(g, &name, role);
        label text = { .length = 0 };
        add_line(&text, "%s", source_text(g, item->span, item->span.end));
        write_node(g, &name, &LOOK_ENTRY, &text, false);
        add_end(g, ends, &name, NULL, entries_counted, entries_counted ? g->counts->entered : 0);
    }

    const jc_node *holdout = clause_of(journey, JC_NODE_HOLDOUT);
    if (!holdout) return;
    node_name name, control;
    name_node(g, &name, "holdout");
    name_node(g, &control, "control");
    label text = { .length = 0 };
    add_line(&text, "%s", source_text(g, holdout->span, holdout->span.end));
    write_node(g, &name, &LOOK_HOLDOUT, &text, false);
    connect_ends(g, ends, &name, false);
    text.length = 0;
    add_line(&text, "control group");
    add_line(&text, "sent nothing, goal measured");
    write_node(g, &control, &LOOK_CONTROL, &text, false);

    uint64_t held_out = g->counts ? g->counts->holdout : 0;
    uint64_t treated = g->counts && g->counts->entered > held_out ? g->counts->entered - held_out : 0;
    open_ends to_control = { 0 };
    add_end(g, &to_control, &name, kept_text(g, "control %g%%", holdout->as.holdout.percent), g->counts != NULL, held_out);
    connect_ends(g, &to_control, &control, false);
    free(to_control.items);
    add_end(g, ends, &name, kept_text(g, "treated %g%%", 100 - holdout->as.holdout.percent), g->counts != NULL, treated);
}

/* The goal and the `exit on` clauses: notes beside the entries, since they apply
 * wherever a contact is. Returns the number of report exits they matched. */
static uint32_t draw_notes(graph *g, const jc_node *journey)
{
    uint32_t matched = 0, number = 0;
    for (const jc_node *item = journey->as.journey.items.first; item; item = item->next) {
        if (item->kind != JC_NODE_GOAL && item->kind != JC_NODE_EXIT_ON) continue;
        node_name name;
        label text = { .length = 0 };
        add_line(&text, "%s", source_text(g, item->span, item->span.end));
        bool first = true;
        if (item->kind == JC_NODE_GOAL) {
            name_node(g, &name, "goal");
            if (g->counts) add_figure(&text, &first, "reached (treated)", g->counts->goals_treated);
            write_node(g, &name, &LOOK_GOAL, &text, false);
            continue;
        }
        char role[32];
        snprintf(role, sizeof role, "exit_on%" PRIu32, ++number);
        name_node(g, &name, role);
        add_line(&text, "at any point");
        uint32_t line_number = position_of(g, item->span).line;
        for (uint32_t i = 0; g->counts && i < g->counts->exit_count; i++) {
            const jc_report_exit *exit = &g->counts->exits[i];
            if (exit->line != line_number || strcmp(exit->event, item->as.exit_on.event.name->text) != 0) continue;
            add_figure(&text, &first, "exited", exit->exited);
            matched++;
            break;
        }
        if (g->counts && first && !g->first_unmatched_kind) {
            g->first_unmatched = item->span;
            g->first_unmatched_kind = "exit on";
        }
        if (g->counts && first) g->match.unmatched++;
        write_node(g, &name, &LOOK_EXIT_ON, &text, false);
    }
    return matched;
}

/* Keeps the entries and the notes on the top row. */
static void write_top_row(graph *g, const jc_node *journey)
{
    fprintf(g->out, "%*s{ rank=same;", g->indent * 4, "");
    uint32_t entries = 0, exits = 0;
    for (const jc_node *item = journey->as.journey.items.first; item; item = item->next) {
        if (item->kind == JC_NODE_ENTRY) fprintf(g->out, " j%" PRIu32 "_entry%" PRIu32 ";", g->journey_number, ++entries);
        else if (item->kind == JC_NODE_GOAL) fprintf(g->out, " j%" PRIu32 "_goal;", g->journey_number);
        else if (item->kind == JC_NODE_EXIT_ON)
            fprintf(g->out, " j%" PRIu32 "_exit_on%" PRIu32 ";", g->journey_number, ++exits);
    }
    fputs(" }\n", g->out);
}

/* Warns when the report's figures for this journey do not fit the program. */
static void check_report(graph *g, const jc_node *journey, uint32_t report_exits_matched)
{
    const char *report = g->options->report_path ? g->options->report_path : "report";
    const char *name = journey->as.journey.name->text;
    jc_diagnostics *diagnostics = &g->compiler->diagnostics;
    if (!g->counts) {
        jc_warning(diagnostics, journey->as.journey.name_span,
                   "the report '%s' has no figures for journey '%s'; it is drawn without them", report, name);
        return;
    }
    const jc_report_node *first_unused;
    uint32_t unused = jc_graph_match_unused(&g->match, &first_unused);
    uint32_t unused_exits = g->counts->exit_count - report_exits_matched;
    if (g->match.unmatched == 0 && unused == 0 && unused_exits == 0) return;
    jc_warning(diagnostics, journey->as.journey.name_span,
               "journey '%s' does not match the report '%s': %" PRIu32 " of its statements, branches and exit "
               "clauses are drawn without figures, and %" PRIu32 " of the report's match nothing here; was the "
               "report made from another version of the file?",
               name, report, g->match.unmatched, unused + unused_exits);
    if (g->first_unmatched_kind)
        jc_note(diagnostics, g->first_unmatched, "the first without figures: this '%s'", g->first_unmatched_kind);
    if (first_unused)
        jc_note(diagnostics, (jc_span){ JC_NO_FILE, 0, 0 },
                "the first of the report's that matches nothing: a '%s' at line %" PRIu32 ", column %" PRIu32,
                first_unused->kind, first_unused->line, first_unused->column);
}

static void draw_journey(graph *g, const jc_node *journey)
{
    g->counts = journey_counts(g->options, journey->as.journey.name);
    g->first_unmatched_kind = NULL;
    if (!jc_graph_match_begin(&g->match, g->counts)) {
        g->out_of_memory = true;
        return;
    }
    write_line(g, "subgraph cluster_j%" PRIu32 " {", g->journey_number);
    g->indent++;
    write_cluster_label(g, journey);

    open_ends ends = { 0 };
    draw_entries(g, journey, &ends);
    uint32_t exits_matched = draw_notes(g, journey);
    write_top_row(g, journey);
    draw_statements(g, &journey->as.journey.items, &ends);
    if (ends.count) {
        node_name end;
        name_node(g, &end, "end");
        label text = { .length = 0 };
        add_line(&text, "end of journey");
        write_node(g, &end, &LOOK_END, &text, false);
        connect_ends(g, &ends, &end, false);
    }
    free(ends.items);
    write_edges(g);
    g->indent--;
    write_line(g, "}");
    if (g->options->counts) check_report(g, journey, exits_matched);
    jc_graph_match_end(&g->match);
}

/* ---- the program ----------------------------------------------------------------- */

static bool has_journey(const jc_compiler *compiler, const char *name)
{
    for (const jc_node *decl = compiler->declarations.first; decl; decl = decl->next)
        if (decl->kind == JC_NODE_JOURNEY && strcmp(decl->as.journey.name->text, name) == 0) return true;
    return false;
}

static void write_header(graph *g)
{
    const char *path = g->compiler->sources.items[g->compiler->root_file]->path;
    fputs("// The journey map of ", g->out);
    fputs(path, g->out);
    fputs(", drawn by journeyc graph (spec/graph.md).\n", g->out);
    fputs("digraph journeys {\n", g->out);
    fputs("    graph [label=\"", g->out);
    jc_graph_write_escaped(g->out, path);
    if (g->options->counts && g->options->report_path) {
        fputs("\\nfigures from ", g->out);
        jc_graph_write_escaped(g->out, g->options->report_path);
    }
    fputs("\", labelloc=t, fontsize=16, fontname=\"Helvetica,Arial,sans-serif\", nodesep=0.3, ranksep=0.35];\n"
          "    node [fontname=\"Helvetica,Arial,sans-serif\", fontsize=11, margin=\"0.12,0.06\"];\n"
          "    edge [fontname=\"Helvetica,Arial,sans-serif\", fontsize=10, color=\"#4d4d4d\", fontcolor=\"#333333\"];\n",
          g->out);
}

jc_status jc_graph_write_dot(jc_compiler *compiler, const jc_graph_options *options, FILE *out)
{
    if (compiler->diagnostics.error_count) return JC_ERRORS;
    if (options->journey && !has_journey(compiler, options->journey)) {
        jc_error(&compiler->diagnostics, (jc_span){ JC_NO_FILE, 0, 0 }, "there is no journey '%s' in '%s'",
                 options->journey, compiler->sources.items[compiler->root_file]->path);
        return JC_ERRORS;
    }
    graph g = { .compiler = compiler, .options = options, .out = out, .indent = 1 };
    write_header(&g);
    for (const jc_node *decl = compiler->declarations.first; decl; decl = decl->next) {
        if (decl->kind != JC_NODE_JOURNEY) continue;
        g.journey_number++;
        if (options->journey && strcmp(decl->as.journey.name->text, options->journey) != 0) continue;
        draw_journey(&g, decl);
    }
    fputs("}\n", out);
    free(g.edges);
    for (uint32_t i = 0; options->counts && i < options->counts->journey_count; i++) {
        const char *name = options->counts->journeys[i].name;
        if (!has_journey(compiler, name))
            jc_warning(&compiler->diagnostics, (jc_span){ JC_NO_FILE, 0, 0 },
                       "the report '%s' has figures for a journey '%s' that the program does not have",
                       options->report_path ? options->report_path : "report", name);
    }
    return g.out_of_memory || compiler->out_of_memory ? JC_NO_MEMORY : JC_OK;
}
