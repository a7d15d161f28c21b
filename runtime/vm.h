/* vm.h: the inside of a jr_vm, shared by the runtime's own files (vm.c, strings.c,
 * timers.c, sends.c, builtins.c). Not part of the public interface. */
#ifndef JR_VM_INTERNAL_H
#define JR_VM_INTERNAL_H
#include <stdbool.h>
#include <stdint.h>

#include "memory.h"
#include "program.h"

/* ---- values ------------------------------------------------------------------------
 * A value is 8 bytes whose meaning the verifier fixed statically: a double, an int64
 * (time, duration), a bool (0/1), or a string handle. Each type has one "missing":
 * NaN, INT64_MIN, 2, and handle 0. */
typedef uint64_t jr_value;

#define JR_MISSING_INTEGER INT64_MIN
#define JR_MISSING_BOOL 2u
#define JR_MISSING_STRING 0u

jr_value jr_missing(char type);
bool jr_is_missing(char type, jr_value value);
static inline double jr_as_number(jr_value value)
{
    double number;
    __builtin_memcpy(&number, &value, sizeof number);
    return number;
}
static inline jr_value jr_from_number(double number)
{
    jr_value value;
    __builtin_memcpy(&value, &number, sizeof value);
    return value;
}

/* ---- strings (strings.c) --------------------------------------------------------------
 * Handles below JR_SCRATCH_BIT name interned strings that live as long as the VM
 * (contact ids, attribute values, binding fields); handles with the bit set name
 * scratch strings that live until jr_strings_reset_scratch (values being computed,
 * fields of the event being applied). Handle 0 is the missing string. */
#define JR_SCRATCH_BIT 0x80000000u

typedef struct jr_strings {
    jr_allocator allocator;
    /* interned */
    char **bytes;
    uint32_t *lengths;
    uint32_t count, capacity; /* index 0 unused */
    uint32_t *buckets;        /* handle, 0 = empty */
    uint32_t bucket_count;
    /* scratch */
    char *scratch;
    size_t scratch_used, scratch_capacity;
    size_t *scratch_offsets;
    uint32_t *scratch_lengths;
    uint32_t scratch_count, scratch_entries;
    bool out_of_memory;
} jr_strings;

void jr_strings_init(jr_strings *strings, jr_allocator allocator);
void jr_strings_free(jr_strings *strings);
uint32_t jr_strings_intern(jr_strings *strings, const char *bytes, uint32_t length);
uint32_t jr_strings_scratch(jr_strings *strings, const char *bytes, uint32_t length);
/* Makes room for a scratch string of length bytes and returns where to write it. */
char *jr_strings_scratch_reserve(jr_strings *strings, uint32_t length, uint32_t *handle);
/* An interned handle for any handle (a no-op for interned ones). */
uint32_t jr_strings_keep(jr_strings *strings, uint32_t handle);
const char *jr_strings_get(const jr_strings *strings, uint32_t handle, uint32_t *length);
void jr_strings_reset_scratch(jr_strings *strings);

/* ---- timers (timers.c) -----------------------------------------------------------------
 * A binary min-heap on (due, contact, sequence): fired in due order, ties by contact
 * (first-seen order), then in creation order (timers.c says why). A
 * timer is never cancelled; the journey state it belongs to carries a generation, and a
 * timer whose generation no longer matches is stale and skipped when it comes up. */
typedef struct jr_timer {
    int64_t due;
    uint64_t sequence;
    uint32_t contact;
    uint32_t journey;
    uint32_t generation;
} jr_timer;

typedef struct jr_timers {
    jr_allocator allocator;
    jr_timer *heap;
    uint32_t count, capacity;
    uint64_t next_sequence;
} jr_timers;

void jr_timers_init(jr_timers *timers, jr_allocator allocator);
void jr_timers_free(jr_timers *timers);
bool jr_timers_push(jr_timers *timers, int64_t due, uint32_t contact, uint32_t journey, uint32_t generation);
/* The heap's order: whether a fires before b. */
bool jr_timer_earlier(const jr_timer *a, const jr_timer *b);
/* The earliest timer, or NULL. */
const jr_timer *jr_timers_peek(const jr_timers *timers);
void jr_timers_pop(jr_timers *timers);

/* ---- contacts ------------------------------------------------------------------------ */

enum { JR_BUCKETS = 12 }; /* windowed aggregates keep 12 buckets of window/12 */

typedef enum journey_status {
    JOURNEY_NEVER,   /* never entered */
    JOURNEY_RUNNING, /* the coroutine is running or suspended */
    JOURNEY_HOLDOUT, /* in the control group until its goal window closes */
    JOURNEY_DONE,    /* ended; kept for re-entry rules and goals */
} journey_status;

typedef enum journey_wait {
    WAIT_NONE,
    WAIT_TIMER,  /* WAIT, WAIT_UNTIL, WAIT_UNTIL_CLOCK, holdout window */
    WAIT_EVENT,  /* WAIT_FOR: wait_index; with a timer when it has a timeout */
    WAIT_SELECT, /* SELECT: wait_index; with a timer when it has an after arm */
} journey_wait;

typedef struct journey_state {
    uint8_t status;
    uint8_t wait;
    uint8_t goal_reached;
    uint8_t unused;
    uint32_t node;        /* the latest node reached in this entry + 1, or 0 */
    uint32_t pc;
    uint32_t wait_index;
    uint32_t entries;     /* how many times the contact entered */
    uint32_t generation;  /* of the current timer */
    uint32_t sequence;    /* actions made in this entry, for idempotency keys */
    uint32_t path;        /* with attribution: the latest path entry of this entry + 1, or 0 */
    int64_t entered_at;
    int64_t wait_started; /* when the current wait began */
    jr_value slots[];
} journey_state;

typedef struct score_state {
    double value;
    int64_t updated;
} score_state;

typedef struct contact_header {
    uint32_t id;           /* interned string handle */
    uint32_t unused;
    int64_t last_event;    /* timestamp of its latest event */
} contact_header;

/* An aggregate's part of a record, by its shape: a windowed sum, avg, min or max keeps
 * 12 buckets of values and counts; a windowed count only counts; an aggregate without
 * a window keeps a running total. */
typedef struct aggregate_window {
    int64_t newest; /* bucket number of the newest bucket */
    double values[JR_BUCKETS];
    uint32_t counts[JR_BUCKETS];
} aggregate_window;

/* A windowed count needs no values: 12 counters that saturate at 65535 events per
 * bucket (per contact), 32 bytes instead of 152. */
typedef struct count_window {
    int64_t newest;
    uint16_t counts[JR_BUCKETS];
} count_window;

typedef struct aggregate_total {
    double value;
    uint64_t count;
} aggregate_total;

/* ---- the VM -------------------------------------------------------------------------- */

typedef struct jr_zones jr_zones;

typedef struct jr_payload_entry {
    uint32_t key; /* string constant */
    char type;
    jr_value value;
} jr_payload_entry;

typedef struct recorded_error {
    uint32_t contact;
    uint32_t journey; /* JR_NONE outside journeys */
    uint32_t file;    /* string constant */
    uint32_t line;
    int64_t at;
    char message[160];
} recorded_error;

enum { JR_MAX_RECORDED_ERRORS = 1000, JR_MAX_TRACK_CHAIN = 16 };

enum { JR_GOAL_TIME_BUCKETS = 128 }; /* quarter octaves of seconds: up to 10^9 s */

typedef struct journey_counters {
    uint64_t entered, holdout, active, completed, exited, errors;
    uint64_t goals_treated, goals_holdout;
    double goal_value_treated, goal_value_holdout;
    double time_to_goal_sum[2];                       /* [treated, holdout], ms */
    uint32_t time_to_goal[2][JR_GOAL_TIME_BUCKETS];   /* histograms */
} journey_counters;

typedef struct node_counters {
    uint64_t entered, here, errors, exited, goals;
    uint64_t sent, deferred, suppressed;
    uint64_t converted;
    double goal_value, converted_value;
    double last_touch, last_touch_value, linear, linear_value;
} node_counters;

/* With attribution: what an entry went through, newest first (sends and split arms). */
typedef struct path_entry {
    uint32_t previous; /* index + 1, or 0 */
    uint32_t node;
} path_entry;

typedef struct message_counters {
    uint64_t sent, deferred, suppressed_by_limit, suppressed_by_quiet_hours;
} message_counters;

struct jr_vm {
    const jr_program *program;
    jr_config config;
    jr_figure_fn on_figure;    /* jr_vm_on_figure */
    jr_event_reader *post_reader; /* jr_vm_post_json's, made at its first call */
    void *figure_user;
    jr_memory memory;       /* what it holds, for config.memory_limit (memory.h) */
    jr_allocator allocator; /* every block it holds comes from here: jr_memory_allocator */
    int64_t clock;
    bool clock_started;

    /* contacts: fixed-size records in one array, found through a hash table */
    uint8_t *records;
    size_t record_size;
    uint32_t contact_count, contact_capacity;
    uint32_t *contact_buckets; /* contact index + 1 */
    uint32_t contact_bucket_count;
    /* layout of a record */
    size_t attributes_offset, scores_offset, segments_offset;
    size_t *aggregate_offsets;
    size_t *limit_offsets;
    size_t *journey_offsets;

    jr_strings strings;
    jr_timers timers;
    jr_zones *zones;
    uint32_t timezone_attribute; /* JR_NONE when not declared */

    /* seen messageIds (64-bit hashes), for de-duplication */
    uint64_t *seen;
    uint32_t seen_count, seen_capacity;

    /* scratch for running code */
    jr_value *stack;
    jr_value *event_fields;  /* the event being applied, by field index */
    const jr_event *event;
    uint8_t *segment_before; /* bitset: memberships before this event */
    uint8_t *segment_live;   /* bitset: memberships evaluated at this moment (journeys) */
    uint32_t *segment_order; /* segments in dependency order, ties in declaration order */
    jr_payload_entry *payload;
    uint32_t payload_count, payload_capacity;
    char *text;              /* JSON and keys being built */
    size_t text_used, text_capacity;
    jr_event *pending_tracks; /* synthetic events from track, with their field values */
    uint32_t max_event_fields; /* of the program's widest event */
    uint32_t pending_count;

    journey_counters *journey_counters;
    message_counters *message_counters;
    node_counters *node_counters;
    uint64_t *node_exits;      /* per node, per exit clause of its journey */
    uint64_t *exit_counters;   /* per EXITS record: contacts it ended, holdout included */
    uint32_t *node_exit_base;  /* where a node's exit counters start */
    path_entry *paths;
    uint32_t path_count, path_capacity;
    uint32_t *node_marks;      /* for attributing a goal to each arm once */
    uint32_t mark_serial;
    jr_vm_stats stats;
    recorded_error *errors;
    uint32_t error_count, error_capacity;
    bool out_of_memory;
};

/* Records of contacts. */
static inline uint8_t *jr_contact_record(const jr_vm *vm, uint32_t contact)
{
    return vm->records + (size_t)contact * vm->record_size;
}
static inline journey_state *jr_journey_state(const jr_vm *vm, uint32_t contact, uint32_t journey)
{
    return (journey_state *)(jr_contact_record(vm, contact) + vm->journey_offsets[journey]);
}

/* Built-in functions (builtins.c): pops arguments from stack[*depth], pushes the result.
 * Returns NULL, or the text of a run-time error. */
const char *jr_call_builtin(jr_vm *vm, uint32_t contact, uint32_t builtin, jr_value *stack, uint32_t *depth);

/* For inspect.c: a contact by id without creating it (JR_NONE if unknown; empty_slot,
 * when given, receives where it would go), a score decayed to the clock, and the
 * segment memberships at the clock (a bitset valid until the next call into the VM). */
uint32_t jr_vm_lookup_contact(const jr_vm *vm, const char *bytes, uint32_t length, uint32_t *empty_slot);
double jr_vm_score_now(const jr_vm *vm, uint32_t contact, uint32_t score);
const uint8_t *jr_vm_segments_now(jr_vm *vm, uint32_t contact);

/* A recorded run-time error as the public interface shows it (jr_vm_error, and
 * jr_config.on_error); its strings live as long as the VM and `recorded`. */
void jr_vm_describe_error(const jr_vm *vm, const recorded_error *recorded, jr_runtime_error *error);

/* The memory limit (limit.c): whether the VM may fire one more timer, or apply this
 * event, given the bytes it holds and what its tables would take if that made them
 * grow. Always true without a limit. */
bool jr_limit_allows_timer(const jr_vm *vm);
bool jr_limit_allows_event(const jr_vm *vm, const jr_event *event);

/* Time zones (timezone.c) as the VM uses them. */
const struct jr_zone *jr_vm_contact_zone(jr_vm *vm, uint32_t contact);

#endif
