/* graph_match.c: matching a report's nodes to a journey's statements and arms. */
#include "graph_match.h"

#include <stdlib.h>
#include <string.h>

#define NO_POSITION UINT32_MAX

bool jc_graph_match_begin(jc_graph_match *match, const jc_report_journey *journey)
{
    memset(match, 0, sizeof *match);
    match->journey = journey;
    if (!journey) return true;
    uint32_t count = journey->node_count;
    size_t slots = count ? count : 1;
    match->position_of_index = malloc(slots * sizeof *match->position_of_index);
    match->arm_ordinal = malloc(slots * sizeof *match->arm_ordinal);
    match->used = calloc(slots, sizeof *match->used);
    uint32_t *arms_seen = calloc(slots, sizeof *arms_seen); /* per position of a parent */
    if (!match->position_of_index || !match->arm_ordinal || !match->used || !arms_seen) {
        free(arms_seen);
        jc_graph_match_end(match);
        return false;
    }
    for (uint32_t i = 0; i < count; i++) match->position_of_index[i] = NO_POSITION;
    for (uint32_t i = 0; i < count; i++) {
        uint32_t index = journey->nodes[i].index;
        if (index < count && match->position_of_index[index] == NO_POSITION) match->position_of_index[index] = i;
    }
    /* Arms are numbered in order under their statement. */
    for (uint32_t i = 0; i < count; i++) {
        const jc_report_node *node = &journey->nodes[i];
        uint32_t parent = node->parent < count ? match->position_of_index[node->parent] : NO_POSITION;
        match->arm_ordinal[i] = node->is_arm && parent != NO_POSITION ? arms_seen[parent]++ : NO_POSITION;
    }
    free(arms_seen);
    return true;
}

void jc_graph_match_end(jc_graph_match *match)
{
    free(match->position_of_index);
    free(match->arm_ordinal);
    free(match->used);
    match->position_of_index = NULL;
    match->arm_ordinal = NULL;
    match->used = NULL;
}

/* The position of the node the numbering expects next, or NO_POSITION. */
static uint32_t expected_position(const jc_graph_match *match, uint32_t index)
{
    return index < match->journey->node_count ? match->position_of_index[index] : NO_POSITION;
}

static bool is_statement(const jc_graph_match *match, uint32_t position, const char *kind, uint32_t line,
                         uint32_t column)
{
    const jc_report_node *node = &match->journey->nodes[position];
    return !match->used[position] && !node->is_arm && node->line == line && node->column == column &&
           strcmp(node->kind, kind) == 0;
}

static bool is_arm(const jc_graph_match *match, uint32_t position, const jc_report_node *parent, uint32_t ordinal,
                   const char *kind)
{
    const jc_report_node *node = &match->journey->nodes[position];
    return !match->used[position] && node->is_arm && node->parent == parent->index &&
           match->arm_ordinal[position] == ordinal && strcmp(node->kind, kind) == 0;
}

static const jc_report_node *take(jc_graph_match *match, uint32_t position)
{
    match->used[position] = true;
    return &match->journey->nodes[position];
}

const jc_report_node *jc_graph_match_statement(jc_graph_match *match, const char *kind, uint32_t line,
                                               uint32_t column)
{
    uint32_t index = match->next_index++;
    if (!match->journey) return NULL;
    uint32_t expected = expected_position(match, index);
    if (expected != NO_POSITION && is_statement(match, expected, kind, line, column)) return take(match, expected);
    for (uint32_t i = 0; i < match->journey->node_count; i++)
        if (is_statement(match, i, kind, line, column)) return take(match, i);
    match->unmatched++;
    return NULL;
}

const jc_report_node *jc_graph_match_arm(jc_graph_match *match, const jc_report_node *parent, uint32_t ordinal,
                                         const char *kind)
{
    uint32_t index = match->next_index++;
    if (!match->journey) return NULL;
    uint32_t expected = expected_position(match, index);
    if (parent) {
        if (expected != NO_POSITION && is_arm(match, expected, parent, ordinal, kind)) return take(match, expected);
        for (uint32_t i = 0; i < match->journey->node_count; i++)
            if (is_arm(match, i, parent, ordinal, kind)) return take(match, i);
    }
    match->unmatched++;
    return NULL;
}

uint32_t jc_graph_match_unused(const jc_graph_match *match, const jc_report_node **first)
{
    uint32_t count = 0;
    *first = NULL;
    if (!match->journey) return 0;
    for (uint32_t i = 0; i < match->journey->node_count; i++) {
        if (match->used[i]) continue;
        if (!*first) *first = &match->journey->nodes[i];
        count++;
    }
    return count;
}
