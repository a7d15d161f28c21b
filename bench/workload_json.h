/* workload_json.h: one planned event of the workload as a Segment-shaped JSON line. */
#ifndef WORKLOAD_JSON_H
#define WORKLOAD_JSON_H
#include <stddef.h>
#include <stdint.h>

#include "workload_plan.h"

enum { WORKLOAD_LINE_MAX = 1024 }; /* no line is longer, its newline included */

/* Writes `event`, which is line `line` of the workload (from 0; its messageId derives
 * from it), as one JSON object and a newline into out (WORKLOAD_LINE_MAX bytes);
 * returns the length written. */
size_t workload_json_line(const workload_parameters *parameters, const workload_event *event, uint64_t line,
                          char *out);

#endif
