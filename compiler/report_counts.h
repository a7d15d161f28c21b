/* report_counts.h: the counts of a simulation report (`journey sim --report FILE`,
 * spec/report.md) that the journey map is annotated with: per journey its totals, its
 * `exit on` clauses and its nodes (statements and arms, in the compiler's numbering).
 *
 * The reader (report_counts.cpp, the compiler's one C++ file, over simdjson) keeps
 * only these figures and ignores every other member of the report. It never prints. */
#ifndef JC_REPORT_COUNTS_H
#define JC_REPORT_COUNTS_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define JC_REPORT_NO_NODE UINT32_MAX

/* A statement or an arm of a branching statement. */
typedef struct jc_report_node {
    uint32_t index;        /* in the journey's numbering */
    const char *kind;      /* "send", "wait for", ...; arms: "then", "timed out", ... */
    bool is_arm;
    uint32_t parent;       /* index of the arm or step it is in, or JC_REPORT_NO_NODE */
    uint32_t line, column; /* where it begins (an arm: where its statement begins) */
    const char *label;     /* or NULL */
    uint64_t entered;      /* times reached; arms: times taken */
    uint64_t waiting;      /* at it at the horizon */
    uint64_t passed;       /* went on from it */
    uint64_t exited, errors, goals;
    uint64_t sent, deferred, suppressed; /* sends */
} jc_report_node;

/* One `exit on` clause. */
typedef struct jc_report_exit {
    const char *event;
    uint32_t line;
    uint64_t exited;
} jc_report_exit;

typedef struct jc_report_journey {
    const char *name;
    uint64_t entered, holdout, completed, exited, goals_treated;
    jc_report_exit *exits;
    uint32_t exit_count;
    jc_report_node *nodes;
    uint32_t node_count;
} jc_report_journey;

typedef struct jc_report_counts {
    jc_report_journey *journeys;
    uint32_t journey_count;
} jc_report_counts;

typedef enum jc_report_status {
    JC_REPORT_OK = 0,
    JC_REPORT_UNREADABLE, /* the file cannot be read */
    JC_REPORT_MALFORMED,  /* not JSON, or not in the shape of a report */
    JC_REPORT_NO_MEMORY,
} jc_report_status;

/* Reads the report at path. On JC_REPORT_OK *counts holds it (free it with
 * jc_report_counts_free); otherwise error holds why, naming the member at fault
 * ("journeys[0].nodes[3].line: expected a whole number"), without the path. */
jc_report_status jc_report_counts_read(const char *path, jc_report_counts **counts, char *error,
                                       size_t error_size);
void jc_report_counts_free(jc_report_counts *counts);

#ifdef __cplusplus
}
#endif

#endif
