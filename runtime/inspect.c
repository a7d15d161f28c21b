/* inspect.c: what a VM can tell about its run (counters per journey, message, exit
 * clause and node) and about one contact (attributes, scores, segments, where it is in
 * each journey). Read-only views of vm.h's state; nothing here changes a run. */
#include <string.h>

#include "vm.h"

static const char *program_string(const jr_program *program, uint32_t index)
{
    return index < program->string_count ? program->strings[index].bytes : "";
}

static const char *optional_string(const jr_program *program, uint32_t index)
{
    return index == JR_NONE ? NULL : program_string(program, index);
}

/* ---- the run -------------------------------------------------------------------------- */

/* Without a VM, counts are 0 and results zeroed; without a result, nothing is written. */
void jr_vm_stats_get(const jr_vm *vm, jr_vm_stats *stats)
{
    if (stats) *stats = vm ? vm->stats : (jr_vm_stats){ 0 };
}
uint32_t jr_vm_journey_count(const jr_vm *vm) { return vm ? JR_COUNT(vm->program, JOURNEYS) : 0; }
uint32_t jr_vm_message_count(const jr_vm *vm) { return vm ? JR_COUNT(vm->program, MESSAGES) : 0; }
uint32_t jr_vm_node_count(const jr_vm *vm) { return vm ? JR_COUNT(vm->program, NODES) : 0; }

/* The median of a time-to-goal histogram: the geometric middle of the bucket holding
 * the middle goal (buckets are quarter octaves of seconds + 1). */
void jr_vm_journey_stats(const jr_vm *vm, uint32_t journey, jr_journey_stats *stats)
{
    if (!stats) return;
    memset(stats, 0, sizeof *stats);
    if (!vm || journey >= JR_COUNT(vm->program, JOURNEYS)) return;
    const jr_program *p = vm->program;
    const jr_JOURNEYS_record *j = &JR_TABLE(p, JOURNEYS)[journey];
    const journey_counters *c = &vm->journey_counters[journey];
    const jr_FUNCTIONS_record *function = &JR_TABLE(p, FUNCTIONS)[j->function];
    stats->name = program_string(p, j->name);
    stats->file = function->line_count ? program_string(p, JR_TABLE(p, LINES)[function->first_line].file) : "";
    stats->line = j->line;
    stats->entered = c->entered;
    stats->holdout = c->holdout;
    stats->active = c->active;
    stats->completed = c->completed;
    stats->exited = c->exited;
    stats->errors = c->errors;
    stats->goals_treated = c->goals_treated;
    stats->goals_holdout = c->goals_holdout;
    stats->goal_value_treated = c->goal_value_treated;
    stats->goal_value_holdout = c->goal_value_holdout;
    stats->time_to_goal_sum_treated = c->time_to_goal_sum[0];
    stats->time_to_goal_sum_holdout = c->time_to_goal_sum[1];
    uint64_t buckets[JR_TIME_TO_GOAL_BUCKETS];
    jr_vm_time_to_goal_histogram(vm, journey, false, buckets);
    stats->time_to_goal_median_treated = jr_time_to_goal_median(buckets);
    jr_vm_time_to_goal_histogram(vm, journey, true, buckets);
    stats->time_to_goal_median_holdout = jr_time_to_goal_median(buckets);
    stats->exit_count = j->exit_count;
    stats->first_node = j->first_node;
    stats->node_count = j->node_count;
}

void jr_vm_exit_stats(const jr_vm *vm, uint32_t journey, uint32_t clause, jr_exit_stats *stats)
{
    if (!stats) return;
    memset(stats, 0, sizeof *stats);
    if (!vm || journey >= JR_COUNT(vm->program, JOURNEYS)) return;
    const jr_program *p = vm->program;
    const jr_JOURNEYS_record *j = &JR_TABLE(p, JOURNEYS)[journey];
    if (clause >= j->exit_count) return;
    const jr_EXITS_record *exit_record = &JR_TABLE(p, EXITS)[j->first_exit + clause];
    stats->event = program_string(p, JR_TABLE(p, EVENTS)[exit_record->event].name);
    stats->line = exit_record->line;
    stats->exited = vm->exit_counters[j->first_exit + clause];
}

uint64_t jr_vm_node_exits(const jr_vm *vm, uint32_t node, uint32_t clause)
{
    if (!vm || node >= JR_COUNT(vm->program, NODES)) return 0;
    const jr_program *p = vm->program;
    if (clause >= JR_TABLE(p, JOURNEYS)[JR_TABLE(p, NODES)[node].journey].exit_count) return 0;
    return vm->node_exits[vm->node_exit_base[node] + clause];
}

void jr_vm_node_stats(const jr_vm *vm, uint32_t node, jr_node_stats *stats)
{
    if (!stats) return;
    memset(stats, 0, sizeof *stats);
    if (!vm || node >= JR_COUNT(vm->program, NODES)) return;
    const jr_program *p = vm->program;
    const jr_NODES_record *n = &JR_TABLE(p, NODES)[node];
    const node_counters *c = &vm->node_counters[node];
    const jr_JOURNEYS_record *j = &JR_TABLE(p, JOURNEYS)[n->journey];
    const jr_FUNCTIONS_record *function = &JR_TABLE(p, FUNCTIONS)[j->function];
    stats->journey = n->journey;
    stats->kind = jr_node_kind_name(n->kind);
    stats->is_arm = jr_node_kind_is_arm(n->kind);
    stats->parent = n->parent;
    stats->file = function->line_count ? program_string(p, JR_TABLE(p, LINES)[function->first_line].file) : "";
    stats->line = n->line;
    stats->column = n->column;
    stats->label = optional_string(p, n->label);
    stats->step = n->step == JR_NONE ? NULL : optional_string(p, JR_TABLE(p, NODES)[n->step].label);
    stats->entered = c->entered;
    stats->here = c->here;
    stats->errors = c->errors;
    stats->exited = c->exited;
    stats->goals = c->goals;
    stats->goal_value = c->goal_value;
    stats->sent = c->sent;
    stats->deferred = c->deferred;
    stats->suppressed = c->suppressed;
    stats->converted = c->converted;
    stats->converted_value = c->converted_value;
    stats->last_touch = c->last_touch;
    stats->last_touch_value = c->last_touch_value;
    stats->linear = c->linear;
    stats->linear_value = c->linear_value;
}
void jr_vm_message_stats(const jr_vm *vm, uint32_t message, jr_message_stats *stats)
{
    if (!stats) return;
    memset(stats, 0, sizeof *stats);
    if (!vm || message >= JR_COUNT(vm->program, MESSAGES)) return;
    const jr_MESSAGES_record *m = &JR_TABLE(vm->program, MESSAGES)[message];
    const message_counters *c = &vm->message_counters[message];
    stats->name = program_string(vm->program, m->name);
    stats->channel = program_string(vm->program, JR_TABLE(vm->program, CHANNELS)[m->channel].name);
    stats->sent = c->sent;
    stats->deferred = c->deferred;
    stats->suppressed_by_limit = c->suppressed_by_limit;
    stats->suppressed_by_quiet_hours = c->suppressed_by_quiet_hours;
}

uint32_t jr_vm_error_count(const jr_vm *vm) { return vm ? vm->error_count : 0; }

void jr_vm_error(const jr_vm *vm, uint32_t index, jr_runtime_error *error)
{
    if (!error) return;
    memset(error, 0, sizeof *error);
    if (!vm || index >= vm->error_count) return;
    jr_vm_describe_error(vm, &vm->errors[index], error);
}

/* ---- names ------------------------------------------------------------------------------ */

/* The declarations of one kind: their records, how many, and each record's width in
 * words (the name is the first word of every one of them). False for an unknown kind. */
static bool name_table(const jr_program *program, jr_name_kind kind, const uint32_t **records, uint32_t *count,
                       uint32_t *width)
{
    switch (kind) {
#define CASE(KIND, SECTION)                                                          \
    case KIND:                                                                       \
        *records = (const uint32_t *)JR_TABLE(program, SECTION);                     \
        *count = JR_COUNT(program, SECTION);                                         \
        *width = sizeof(jr_##SECTION##_record) / sizeof(uint32_t);                   \
        return true;
        CASE(JR_NAME_ATTRIBUTE, ATTRIBUTES)
        CASE(JR_NAME_SCORE, SCORES)
        CASE(JR_NAME_SEGMENT, SEGMENTS)
        CASE(JR_NAME_JOURNEY, JOURNEYS)
        CASE(JR_NAME_MESSAGE, MESSAGES)
        CASE(JR_NAME_EVENT, EVENTS)
        CASE(JR_NAME_CHANNEL, CHANNELS)
#undef CASE
    }
    return false;
}

int32_t jr_program_find(const jr_program *program, jr_name_kind kind, const char *name)
{
    const uint32_t *records;
    uint32_t count, width;
    if (!program || !name || !name_table(program, kind, &records, &count, &width)) return -1;
    for (uint32_t i = 0; i < count && i < INT32_MAX; i++)
        if (strcmp(program_string(program, records[(size_t)i * width]), name) == 0) return (int32_t)i;
    return -1;
}

uint32_t jr_program_name_count(const jr_program *program, jr_name_kind kind)
{
    const uint32_t *records;
    uint32_t count, width;
    if (!program || !name_table(program, kind, &records, &count, &width)) return 0;
    return count;
}

const char *jr_program_name(const jr_program *program, jr_name_kind kind, uint32_t index)
{
    const uint32_t *records;
    uint32_t count, width;
    if (!program || !name_table(program, kind, &records, &count, &width) || index >= count) return NULL;
    return program_string(program, records[(size_t)index * width]);
}

/* ---- one contact ------------------------------------------------------------------------- */

const char *jr_vm_contact_id(const jr_vm *vm, uint32_t contact, size_t *length)
{
    if (!vm || contact >= vm->contact_count) return NULL;
    uint32_t id_length = 0;
    const char *id = jr_strings_get(&vm->strings, ((const contact_header *)jr_contact_record(vm, contact))->id, &id_length);
    if (length) *length = id_length;
    return id;
}

bool jr_vm_contact_find(const jr_vm *vm, const char *id, size_t length, uint32_t *contact)
{
    if (!vm || !id || length > UINT32_MAX || !contact) return false;
    uint32_t found = jr_vm_lookup_contact(vm, id, (uint32_t)length, NULL);
    if (found == JR_NONE) return false;
    *contact = found;
    return true;
}

jr_status jr_vm_contact_attribute(const jr_vm *vm, uint32_t contact, uint32_t attribute, jr_field_value *value,
                                  jr_error *error)
{
    if (!vm || !value) return jr_fail(error, JR_ERROR_ARGUMENT, "no VM or no value");
    if (contact >= vm->contact_count) return jr_fail(error, JR_ERROR_ARGUMENT, "no contact %u", contact);
    if (attribute >= JR_COUNT(vm->program, ATTRIBUTES))
        return jr_fail(error, JR_ERROR_ARGUMENT, "no attribute %u", attribute);
    char type = (char)JR_TABLE(vm->program, ATTRIBUTES)[attribute].type;
    jr_value stored = ((const jr_value *)(jr_contact_record(vm, contact) + vm->attributes_offset))[attribute];
    memset(value, 0, sizeof *value);
    value->index = attribute;
    value->type = jr_is_missing(type, stored) ? JR_TYPE_NULL : type;
    if (value->type == JR_TYPE_NULL) return JR_OK;
    switch (type) {
    case JR_TYPE_NUMBER: value->as.number = jr_as_number(stored); break;
    case JR_TYPE_BOOL: value->as.boolean = stored == 1; break;
    case JR_TYPE_STRING: value->as.string.bytes = jr_strings_get(&vm->strings, (uint32_t)stored, &value->as.string.length); break;
    default: value->as.time = (int64_t)stored; break;
    }
    return JR_OK;
}

jr_status jr_vm_contact_score(const jr_vm *vm, uint32_t contact, uint32_t score, double *value, jr_error *error)
{
    if (!vm || !value) return jr_fail(error, JR_ERROR_ARGUMENT, "no VM or no value");
    if (contact >= vm->contact_count) return jr_fail(error, JR_ERROR_ARGUMENT, "no contact %u", contact);
    if (score >= JR_COUNT(vm->program, SCORES)) return jr_fail(error, JR_ERROR_ARGUMENT, "no score %u", score);
    *value = jr_vm_score_now(vm, contact, score);
    return JR_OK;
}

jr_status jr_vm_contact_segment(jr_vm *vm, uint32_t contact, uint32_t segment, bool *member, jr_error *error)
{
    if (!vm || !member) return jr_fail(error, JR_ERROR_ARGUMENT, "no VM or no result");
    if (contact >= vm->contact_count) return jr_fail(error, JR_ERROR_ARGUMENT, "no contact %u", contact);
    if (segment >= JR_COUNT(vm->program, SEGMENTS)) return jr_fail(error, JR_ERROR_ARGUMENT, "no segment %u", segment);
    const uint8_t *bits = jr_vm_segments_now(vm, contact);
    *member = (bits[segment / 8] >> (segment % 8)) & 1;
    jr_strings_reset_scratch(&vm->strings);
    return JR_OK;
}

jr_status jr_vm_contact_journey(const jr_vm *vm, uint32_t contact, uint32_t journey, jr_contact_journey *state,
                                jr_error *error)
{
    if (!vm || !state) return jr_fail(error, JR_ERROR_ARGUMENT, "no VM or no result");
    if (contact >= vm->contact_count) return jr_fail(error, JR_ERROR_ARGUMENT, "no contact %u", contact);
    if (journey >= JR_COUNT(vm->program, JOURNEYS)) return jr_fail(error, JR_ERROR_ARGUMENT, "no journey %u", journey);
    const journey_state *s = jr_journey_state(vm, contact, journey);
    memset(state, 0, sizeof *state);
    state->node = JR_NO_NODE;
    switch ((journey_status)s->status) {
    case JOURNEY_NEVER: state->status = JR_JOURNEY_NOT_ENTERED; return JR_OK;
    case JOURNEY_RUNNING: state->status = JR_JOURNEY_ACTIVE; break;
    case JOURNEY_HOLDOUT: state->status = JR_JOURNEY_HOLDOUT; break;
    case JOURNEY_DONE: state->status = JR_JOURNEY_ENDED; break;
    }
    state->entries = s->entries;
    state->entered_at = s->entered_at;
    state->goal_reached = s->goal_reached;
    if (s->status == JOURNEY_RUNNING) {
        if (s->node) state->node = s->node - 1;
        state->waiting = s->wait == WAIT_TIMER ? "timer" : s->wait == WAIT_EVENT ? "event" : s->wait == WAIT_SELECT ? "select" : NULL;
    }
    return JR_OK;
}
