/* graph_match.h: finds a report's counts for each statement and arm of a journey, so
 * the journey map can be annotated (spec/graph.md). Statements match by (kind, line,
 * column), arms by (their statement, their place among its arms, kind); the node the
 * numbering expects is tried first, so a report of the same program matches in one
 * pass. What matches nothing is tallied for the front end to warn about. */
#ifndef JC_GRAPH_MATCH_H
#define JC_GRAPH_MATCH_H
#include <stdbool.h>
#include <stdint.h>

#include "report_counts.h"

typedef struct jc_graph_match {
    const jc_report_journey *journey; /* NULL: nothing to match against */
    uint32_t *position_of_index;      /* node index -> position in journey->nodes */
    uint32_t *arm_ordinal;            /* per position: its place among its parent's arms */
    bool *used;                       /* per position: matched already */
    uint32_t next_index;              /* the number of the next program node (from 0) */
    uint32_t unmatched;               /* program statements and arms without counts */
} jc_graph_match;

/* journey may be NULL (every lookup then finds nothing and tallies nothing). Returns
 * false when out of memory. */
bool jc_graph_match_begin(jc_graph_match *match, const jc_report_journey *journey);
void jc_graph_match_end(jc_graph_match *match);

/* Numbers the next statement of the program (match->next_index - 1 after the call)
 * and returns its counts, or NULL. */
const jc_report_node *jc_graph_match_statement(jc_graph_match *match, const char *kind, uint32_t line,
                                               uint32_t column);
/* Numbers the next arm: arm `ordinal` (from 0) of the statement whose counts are
 * parent (NULL when that statement had none); returns its counts, or NULL. */
const jc_report_node *jc_graph_match_arm(jc_graph_match *match, const jc_report_node *parent,
                                         uint32_t ordinal, const char *kind);

/* How many of the report's nodes matched nothing; *first is the first of them. */
uint32_t jc_graph_match_unused(const jc_graph_match *match, const jc_report_node **first);

#endif
