/* graph.h: the journey map (`journeyc graph`): each journey of a checked program drawn
 * as a flow diagram in Graphviz's DOT language (entries, holdout, statements, branches,
 * loops, steps, exits, goal), optionally annotated with the counts of a simulation
 * report; and rendering DOT with Graphviz's `dot`. spec/graph.md describes the picture. */
#ifndef JC_GRAPH_H
#define JC_GRAPH_H
#include <stddef.h>
#include <stdio.h>

#include "compiler.h"
#include "report_counts.h"

typedef struct jc_graph_options {
    const char *journey;             /* draw only the journey of this name; NULL: all */
    const jc_report_counts *counts;  /* annotate with these; NULL: draw the program alone */
    const char *report_path;         /* names the report in the picture and in warnings */
} jc_graph_options;

/* Writes the map of the program that compiler checked without errors to out, as DOT.
 * A journey name that the program lacks is an error; where the report does not match
 * the program (a changed file), warnings. Both go to compiler->diagnostics. Returns
 * JC_OK (warnings allowed), JC_ERRORS or JC_NO_MEMORY. */
jc_status jc_graph_write_dot(jc_compiler *compiler, const jc_graph_options *options, FILE *out);

typedef enum jc_dot_status {
    JC_DOT_OK = 0,
    JC_DOT_MISSING, /* no `dot` on PATH: Graphviz is not installed */
    JC_DOT_FAILED,  /* dot ran and failed */
    JC_DOT_SYSTEM,  /* a pipe or process could not be made, or memory ran out */
} jc_dot_status;

/* Runs `dot -T<format>` (found on PATH; no shell) with the DOT text on its standard
 * input. On JC_DOT_OK *output holds what dot wrote (malloc'ed, *output_length bytes);
 * otherwise error says why, with dot's own message when it failed. */
jc_dot_status jc_graph_run_dot(const char *format, const char *dot_text, size_t dot_length, char **output,
                               size_t *output_length, char *error, size_t error_size);

#endif
