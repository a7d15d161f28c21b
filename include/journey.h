/*
 * journey.h: the public interface of libjourney, the journey virtual machine.
 *
 * A program (jr_program) is loaded from bytecode that journeyc produced; the loader
 * verifies everything before anything runs, so bytecode may come from anywhere. A
 * program is immutable once loaded and may be shared by threads. A VM (jr_vm) runs one
 * program against a stream of events, one lightweight coroutine per contact per
 * journey; it belongs to one thread at a time.
 *
 * Conventions: functions return a jr_status and, when given one, fill a jr_error;
 * nothing here prints or exits. Times are milliseconds since 1970-01-01T00:00:00Z.
 * Zeroed configuration structs are sane defaults.
 */
#ifndef JOURNEY_H
#define JOURNEY_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define JR_VERSION "0.1.0"

typedef enum jr_status {
    JR_OK = 0,
    JR_ERROR_ARGUMENT,  /* a NULL or out-of-range argument */
    JR_ERROR_MEMORY,    /* the allocator failed: a program or reader is not made; a VM may
                           have lost work, later posts fail and jr_vm_snapshot refuses it */
    JR_ERROR_IO,        /* a file could not be read or written */
    JR_ERROR_BYTECODE,  /* the bytecode is malformed or fails verification */
    JR_ERROR_EVENT,     /* an event is malformed or refers to nothing the program knows */
    JR_ERROR_LIMIT,     /* a configured limit was reached */
} jr_status;

typedef struct jr_error {
    jr_status status;
    char message[256];
    /* Where the problem is, when it is in a file: the bytecode file that did not load,
     * or the log an event came from (jr_event.line); else empty and 0. */
    char file[256];
    uint64_t line;
} jr_error;

/* realloc-style: size 0 frees and returns NULL. */
typedef void *(*jr_realloc_fn)(void *user, void *pointer, size_t size);
typedef struct jr_allocator {
    jr_realloc_fn realloc; /* NULL: the C library's */
    void *user;
} jr_allocator;

/* ---- programs ------------------------------------------------------------------- */

typedef struct jr_program jr_program;

/* ---- native functions (extern "lib.so" fn ...) ------------------------------------- */

/* A value crossing into or out of a native function; type is 'n', 's' or 'b'. Strings
 * handed to a native live until it returns; a native's string result is copied. */
typedef struct jr_native_value {
    char type;
    union {
        double number;
        bool boolean;
        struct {
            const char *bytes;
            uint32_t length;
        } string;
    } as;
} jr_native_value;

/* A function the host provides: arguments as the extern declares them; it writes the
 * result (of the declared type) and returns true, or returns false with a message in
 * error, which the VM treats as a run-time error of the calling coroutine. */
typedef bool (*jr_native_fn)(void *user, const jr_native_value *arguments, uint32_t count, jr_native_value *result,
                             jr_error *error);

typedef struct jr_native {
    const char *library;   /* the library as the extern names it ("churn.so") */
    const char *name;      /* the function's name */
    const char *signature; /* parameter types then ':' then the result type: "ns:n" */
    jr_native_fn function;
    void *user;
} jr_native;

/* How a program is loaded. Zeroed, it is loaded with the C library's allocator and may
 * call no native library: a program whose externs are not satisfied does not load. */
typedef struct jr_load_options {
    jr_allocator allocator;
    /* Natives the host registers by library and name; they are used before any library
     * is opened. */
    const jr_native *natives;
    uint32_t native_count;
    /* Libraries the program may open with dlopen for its other externs, by the name the
     * extern gives ("libchurn.so"); each is opened with dlopen(name) (so LD_LIBRARY_PATH
     * and the system's paths apply) or, when library_dir is set, from that directory.
     * Each function is found with dlsym and called through libffi. */
    const char *const *allowed_libraries;
    uint32_t allowed_library_count;
    const char *library_dir;
} jr_load_options;

jr_status jr_program_load(const void *bytes, size_t length, const jr_load_options *options,
                          jr_program **program, jr_error *error);
jr_status jr_program_load_file(const char *path, const jr_load_options *options, jr_program **program,
                               jr_error *error);
void jr_program_free(jr_program *program);

/* ---- events in --------------------------------------------------------------------- */

/* Value types as letters, as in the bytecode. */
enum {
    JR_TYPE_NUMBER = 'n',
    JR_TYPE_STRING = 's',
    JR_TYPE_BOOL = 'b',
    JR_TYPE_TIME = 't',     /* milliseconds since the epoch */
    JR_TYPE_DURATION = 'd', /* milliseconds */
    JR_TYPE_NULL = '0',     /* in jr_event.traits only: the trait was null, which unsets
                               the attribute (spec/language.md 6.3); .as is zero */
};

/* What an event reader needs to know of the program: jr_program_schema. */
typedef struct jr_schema_field {
    const char *name;
    char type; /* JR_TYPE_* */
} jr_schema_field;

typedef struct jr_schema_event {
    const char *external_name; /* "Order Completed" */
    const jr_schema_field *fields;
    uint32_t field_count;
} jr_schema_event;

typedef struct jr_schema {
    const jr_schema_event *events;
    uint32_t event_count;
    const jr_schema_field *attributes;
    uint32_t attribute_count;
} jr_schema;

const jr_schema *jr_program_schema(const jr_program *program);

typedef struct jr_field_value {
    uint32_t index; /* into the event's fields, or into the schema's attributes */
    char type;      /* the declared type */
    union {
        double number;
        int64_t time; /* and durations */
        bool boolean;
        struct {
            const char *bytes;
            uint32_t length;
        } string;
    } as;
} jr_field_value;

typedef enum jr_event_kind {
    JR_EVENT_TRACK,
    JR_EVENT_IDENTIFY, /* traits update attributes */
    JR_EVENT_PAGE,     /* read as the event named "Page Viewed" */
} jr_event_kind;

typedef struct jr_event {
    jr_event_kind kind;
    int64_t timestamp;
    const char *contact_id; /* userId, else anonymousId */
    uint32_t contact_id_length;
    bool anonymous;
    const char *message_id; /* may be empty */
    uint32_t message_id_length;
    int32_t event_index; /* into the schema's events; -1 when the program does not declare it */
    const jr_field_value *properties;
    uint32_t property_count;
    const jr_field_value *traits;
    uint32_t trait_count;
    uint32_t type_mismatches; /* values of the wrong type that were left out */
    uint64_t line;            /* where it came from, for messages (0 if not from a file) */
} jr_event;

/* ---- event logs ------------------------------------------------------------------ */

typedef enum jr_read_status {
    JR_READ_EVENT = 1,
    JR_READ_END = 0,
    JR_READ_BAD_LINE = -1, /* this line is malformed; reading goes on with the next */
    JR_READ_IO_ERROR = -2,
    JR_READ_NO_MEMORY = -3,
} jr_read_status;

typedef struct jr_read_error {
    uint64_t line;
    char message[256];
} jr_read_error;

typedef enum jr_log_format { JR_LOG_AUTO, JR_LOG_JSONL, JR_LOG_CSV } jr_log_format;

typedef struct jr_event_reader jr_event_reader;

/* Opens path ("-" for standard input): JSON Lines in the Segment Spec shape or CSV with
 * a header row, gzip detected from the content (runtime/event.h and spec/events.md give
 * the rules). NULL with error filled when it cannot be opened. The schema must outlive
 * the reader; strings in the events it returns live until the next call. */
jr_event_reader *jr_reader_open(const jr_schema *schema, const char *path, jr_log_format format,
                                jr_read_error *error);
jr_event_reader *jr_reader_open_memory(const jr_schema *schema, const void *bytes, size_t length,
                                       jr_log_format format, jr_read_error *error);
jr_read_status jr_reader_next(jr_event_reader *reader, jr_event *event, jr_read_error *error);
uint64_t jr_reader_position(const jr_event_reader *reader);
uint64_t jr_reader_size(const jr_event_reader *reader);
void jr_reader_close(jr_event_reader *reader);

/* Parses an ISO-8601 / RFC 3339 timestamp (date, 'T' or ' ', time with optional
 * fraction, and 'Z' or an offset +HH:MM, +HHMM or +HH) into milliseconds since the
 * epoch; false if text is not one. Years 0001 to 9999, every field checked; a fraction
 * of any length is truncated to milliseconds; a leap second reads as HH:MM:59.999.
 * A time without a zone is not a timestamp. */
bool jr_parse_timestamp(const char *text, size_t length, int64_t *milliseconds);
/* Writes an instant as "2026-11-22T10:00:00.000Z" (24 bytes and a NUL), clamped to the
 * years 0001 to 9999. */
void jr_format_timestamp(int64_t milliseconds, char out[25]);

/* ---- actions out ----------------------------------------------------------------- */

typedef enum jr_action_kind {
    JR_ACTION_SEND,
    JR_ACTION_SET,
    JR_ACTION_AUDIENCE,
    JR_ACTION_EMIT,
    JR_ACTION_TRACK,
} jr_action_kind;

typedef enum jr_send_outcome {
    JR_SEND_SENT,      /* takes effect at `at` */
    JR_SEND_DEFERRED,  /* moved by quiet hours or a limit; takes effect at `at` */
    JR_SEND_SUPPRESSED /* dropped by quiet hours or a limit: recorded, not to be delivered */
} jr_send_outcome;

typedef struct jr_action {
    jr_action_kind kind;
    const char *key;          /* deterministic idempotency key */
    const char *contact_id;
    const char *journey;
    const char *step;         /* the step label, or NULL */
    int64_t at;               /* when it takes effect */
    /* send */
    const char *message;
    const char *template_name;
    const char *channel;
    jr_send_outcome outcome;
    const char *reason;       /* why deferred or suppressed ("quiet hours", "limit email 3 per 7d") */
    /* set: the attribute; audience: the audience; emit: the action name; track: the event */
    const char *name;
    bool add;                 /* audience: add or remove */
    const char *payload_json; /* a JSON object: message fields, set value {"value": ...}, emit/track payload */
} jr_action;

typedef void (*jr_action_fn)(void *user, const jr_action *action);

/* The floating-point figures of jr_journey_stats (index: the journey) and
 * jr_node_stats (index: the node). */
typedef enum jr_figure {
    JR_FIGURE_GOAL_VALUE_TREATED,
    JR_FIGURE_GOAL_VALUE_HOLDOUT,
    JR_FIGURE_TIME_TO_GOAL_SUM_TREATED,
    JR_FIGURE_TIME_TO_GOAL_SUM_HOLDOUT,
    JR_FIGURE_NODE_GOAL_VALUE,
    JR_FIGURE_NODE_CONVERTED_VALUE,
    JR_FIGURE_NODE_LAST_TOUCH,
    JR_FIGURE_NODE_LAST_TOUCH_VALUE,
    JR_FIGURE_NODE_LINEAR,
    JR_FIGURE_NODE_LINEAR_VALUE,
} jr_figure;
#define JR_FIGURE_COUNT 10

/* Told of every term added to a floating-point figure, as the VM adds it: each such
 * figure is 0 plus its terms in the order told (jr_vm_on_figure). contact is the
 * VM's number of the contact whose goal it counts (jr_vm_contact_id). */
typedef void (*jr_figure_fn)(void *user, jr_figure figure, uint32_t index, uint32_t contact, double term);

/* ---- the VM ---------------------------------------------------------------------- */

typedef struct jr_vm jr_vm;

struct jr_runtime_error; /* below, with the VM's errors */

typedef struct jr_config {
    jr_allocator allocator;
    jr_action_fn on_action; /* NULL: actions are counted, not delivered */
    void *action_user;
    uint32_t instruction_budget; /* per resumption; 0: 10000 */
    const char *zoneinfo_dir;    /* NULL: /usr/share/zoneinfo */
    /* Keep, per journey entry, the sends and split arms it went through, so that goals
     * are attributed to messages and arms (jr_node_stats). Costs 16 bytes per send and
     * per arm taken, for the VM's life; off by default. */
    bool attribution;
    /* Bytes the VM may hold (contacts, strings, timers, tables, counted with their
     * allocator bookkeeping); 0: no limit. Before each event and each timer, the VM checks
     * that what it holds, plus what its tables would take if that one made them grow,
     * fits; if not, the post or advance stops there with JR_ERROR_LIMIT. The refused
     * event or timer has not been applied at all (a timer stays queued; an event leaves
     * no trace, not even its messageId); the timers fired before it in the same call
     * stay fired, the clock at the last of them. The VM stays consistent and usable:
     * query it, snapshot it, restore it with a higher limit and post the event again.
     * An event or timer that starts always finishes, so the VM may pass the limit by
     * the strings and scratch space one of them computes. jr_vm_new and jr_vm_restore
     * fail with JR_ERROR_LIMIT when the VM would start above it. */
    size_t memory_limit;
    /* Told of every run-time error as it happens (jr_runtime_error); NULL: only kept
     * (jr_vm_error). The strings live until the callback returns. */
    void (*on_error)(void *user, const struct jr_runtime_error *error);
    void *error_user;
} jr_config;

jr_status jr_vm_new(const jr_program *program, const jr_config *config, jr_vm **vm, jr_error *error);
void jr_vm_free(jr_vm *vm);

/* Applies one event given as a Segment JSON object (track, identify or page), read by
 * the rules of spec/events.md. JR_ERROR_EVENT when it is malformed. */
jr_status jr_vm_post_json(jr_vm *vm, const char *json, size_t length, jr_error *error);

/* Applies one event: first fires every timer due at or before its timestamp, then runs
 * the per-event steps of spec/language.md. An event earlier than the VM's clock is
 * applied at the clock's time and counted as out of order. */
jr_status jr_vm_post(jr_vm *vm, const jr_event *event, jr_error *error);
/* ---- snapshots -------------------------------------------------------------------- */

/* Writes the whole state of the VM (clock, contacts, coroutines, timers, seen
 * messageIds, counters) as a versioned byte stream (spec/snapshot.md) through write,
 * which returns false to stop (the snapshot then fails with JR_ERROR_IO). Call it
 * between calls into the VM, not from a callback. A VM that failed with
 * JR_ERROR_MEMORY may have lost work and is not written (JR_ERROR_MEMORY). */
typedef bool (*jr_write_fn)(void *user, const void *bytes, size_t length);
jr_status jr_vm_snapshot(const jr_vm *vm, jr_write_fn write, void *user, jr_error *error);
/* Makes a VM from a snapshot taken with the same program (checked: a snapshot of another
 * program, a damaged or truncated one, or one of another format version is refused with
 * JR_ERROR_BYTECODE and nothing is made). Verified like bytecode: any bytes are safe. */
jr_status jr_vm_restore(const jr_program *program, const jr_config *config, const void *bytes, size_t length,
                        jr_vm **vm, jr_error *error);

/* Fires every timer due at or before `until` and moves the clock there. Times (here and
 * in events) beyond ±2^53 ms from 1970 are refused with JR_ERROR_ARGUMENT. */
jr_status jr_vm_advance(jr_vm *vm, int64_t until, jr_error *error);
int64_t jr_vm_clock(const jr_vm *vm);
/* When the earliest pending timer is due: true and *due, or false when none is pending.
 * A host on the wall clock sleeps until then (or the next event) and calls
 * jr_vm_advance; a timer cancelled since it was set may still be reported, and advancing
 * to it then fires nothing. */
bool jr_vm_next_timer(const jr_vm *vm, int64_t *due);

/* ---- what happened --------------------------------------------------------------- */

typedef struct jr_journey_stats {
    const char *name;
    const char *file;         /* where it is declared */
    uint32_t line;
    uint64_t entered;         /* including the holdout */
    uint64_t holdout;         /* of which in the control group */
    uint64_t active;          /* running or waiting now (holdout contacts included) */
    uint64_t completed;       /* ran to the end or to an exit statement */
    uint64_t exited;          /* by an `exit on` clause */
    uint64_t errors;          /* ended by a run-time error */
    uint64_t goals_treated, goals_holdout;
    double goal_value_treated, goal_value_holdout;
    /* time from entry to goal, in milliseconds: sums for means, and medians read off a
     * histogram of 1/4-octave buckets (within 9%; spec/report.md) */
    double time_to_goal_sum_treated, time_to_goal_sum_holdout;
    double time_to_goal_median_treated, time_to_goal_median_holdout; /* NaN: no goals */
    uint32_t exit_count;      /* `exit on` clauses: jr_vm_exit_stats */
    uint32_t first_node, node_count; /* its statements and arms: jr_vm_node_stats */
} jr_journey_stats;

/* One `exit on` clause of a journey. */
typedef struct jr_exit_stats {
    const char *event;        /* the event's name in the program */
    uint32_t line;
    uint64_t exited;          /* contacts it ended, holdout contacts included */
} jr_exit_stats;

/* Nodes are a journey's statements and the arms of its branching statements, in source
 * order; the compiler numbers them (spec/report.md). A contact "at" a node is a running
 * coroutine whose latest statement is that node: at rest, that is always a wait. */
#define JR_NO_NODE 0xFFFFFFFFu

typedef struct jr_node_stats {
    uint32_t journey;
    const char *kind;    /* statements: "send", "wait", "wait until", "wait for", "select",
                            "if", "split", "set", "let", "audience", "emit", "track",
                            "step", "repeat", "while", "exit"; arms: "then", "else",
                            "received", "timed out", "on", "after", "arm", "body" */
    bool is_arm;
    uint32_t parent;     /* arms: the branching statement; statements: the arm or step
                            they are in, or JR_NO_NODE at the top of the journey */
    const char *file;
    uint32_t line, column; /* where the statement or arm begins (1-based) */
    const char *label;   /* send: message; step: label; split: name; split arm: its label
                            or its share ("50%"); select arm: the event; else NULL */
    const char *step;    /* the label of the innermost step it is in, or NULL */
    uint64_t entered;    /* times a contact reached it (arms: took it) */
    uint64_t here;       /* contacts at it now */
    uint64_t errors;     /* coroutines ended by a run-time error at it */
    uint64_t exited;     /* contacts ended by an `exit on` clause while at it */
    uint64_t goals;      /* goals reached while at it */
    double goal_value;
    /* send statements */
    uint64_t sent, deferred, suppressed;
    /* with jr_config.attribution: goals after passing through it (split arms), and the
     * goals credited to it (sends), last-touch and linear, with their value */
    uint64_t converted;
    double converted_value;
    double last_touch, last_touch_value, linear, linear_value;
} jr_node_stats;

typedef struct jr_message_stats {
    const char *name;
    const char *channel;
    uint64_t sent, deferred, suppressed_by_limit, suppressed_by_quiet_hours;
} jr_message_stats;

typedef struct jr_vm_stats {
    uint64_t events;          /* applied */
    uint64_t undeclared;      /* events the program does not declare */
    uint64_t duplicates;      /* dropped: messageId seen before */
    uint64_t out_of_order;    /* earlier than the clock */
    uint64_t type_mismatches; /* values of the wrong type left out */
    uint64_t timers_fired;
    uint64_t contacts;
    uint64_t runtime_errors;  /* in journeys, segments, scores, aggregates */
    uint64_t actions;
} jr_vm_stats;

void jr_vm_stats_get(const jr_vm *vm, jr_vm_stats *stats);
uint32_t jr_vm_journey_count(const jr_vm *vm);
void jr_vm_journey_stats(const jr_vm *vm, uint32_t journey, jr_journey_stats *stats);
uint32_t jr_vm_message_count(const jr_vm *vm);
void jr_vm_message_stats(const jr_vm *vm, uint32_t message, jr_message_stats *stats);
void jr_vm_exit_stats(const jr_vm *vm, uint32_t journey, uint32_t clause, jr_exit_stats *stats);
uint32_t jr_vm_node_count(const jr_vm *vm);
void jr_vm_node_stats(const jr_vm *vm, uint32_t node, jr_node_stats *stats);
/* Contacts ended by exit clause `clause` of the node's journey while at the node. */
uint64_t jr_vm_node_exits(const jr_vm *vm, uint32_t node, uint32_t clause);

/* ---- one contact ------------------------------------------------------------------ */

typedef enum jr_name_kind {
    JR_NAME_ATTRIBUTE, JR_NAME_SCORE, JR_NAME_SEGMENT, JR_NAME_JOURNEY, JR_NAME_MESSAGE,
    JR_NAME_EVENT, JR_NAME_CHANNEL,
} jr_name_kind;

/* The index of a declaration by its name in the program (events by their name in the
 * program, not their external name), or -1. */
int32_t jr_program_find(const jr_program *program, jr_name_kind kind, const char *name);
/* How many declarations of a kind the program has, and the name of each (indexes as
 * jr_program_find gives them; NULL when out of range). Names live as long as the program. */
uint32_t jr_program_name_count(const jr_program *program, jr_name_kind kind);
const char *jr_program_name(const jr_program *program, jr_name_kind kind, uint32_t index);

typedef enum jr_journey_status {
    JR_JOURNEY_NOT_ENTERED,
    JR_JOURNEY_ACTIVE,   /* its coroutine runs or waits */
    JR_JOURNEY_HOLDOUT,  /* in the control group, its goal window still open */
    JR_JOURNEY_ENDED,    /* ended (re-entry rules may let it in again) */
} jr_journey_status;

typedef struct jr_contact_journey {
    jr_journey_status status;
    uint32_t entries;     /* times it entered */
    int64_t entered_at;   /* of the latest entry */
    bool goal_reached;    /* in the latest entry */
    uint32_t node;        /* active: the node it is at (a wait when at rest), else JR_NO_NODE */
    const char *waiting;  /* active and at rest: "timer", "event" or "select"; else NULL */
} jr_contact_journey;

/* Contacts are numbered from 0 in the order the VM first saw them; there are
 * jr_vm_stats.contacts of them. A contact's id (NUL-terminated, *length bytes when
 * length is not NULL), or NULL when there is no such contact. It lives as long as the
 * VM. */
const char *jr_vm_contact_id(const jr_vm *vm, uint32_t contact, size_t *length);
/* Finds a contact by id; false if the VM has never seen it. */
bool jr_vm_contact_find(const jr_vm *vm, const char *id, size_t length, uint32_t *contact);
/* An attribute's value now; type JR_TYPE_NULL when it has none. Strings live until the
 * next call into the VM. */
jr_status jr_vm_contact_attribute(const jr_vm *vm, uint32_t contact, uint32_t attribute,
                                  jr_field_value *value, jr_error *error);
/* A score decayed to the VM's clock. */
jr_status jr_vm_contact_score(const jr_vm *vm, uint32_t contact, uint32_t score, double *value,
                              jr_error *error);
/* Whether the contact is in the segment at the VM's clock. */
jr_status jr_vm_contact_segment(jr_vm *vm, uint32_t contact, uint32_t segment, bool *member,
                                jr_error *error);
jr_status jr_vm_contact_journey(const jr_vm *vm, uint32_t contact, uint32_t journey,
                                jr_contact_journey *state, jr_error *error);

/* Run-time errors, each with where it happened, in the order they occurred (the first
 * 1000 are kept; the count goes on). */
typedef struct jr_runtime_error {
    const char *contact_id;
    const char *journey; /* NULL outside journeys */
    const char *file;
    uint32_t line;
    int64_t at;
    const char *message;
} jr_runtime_error;

uint32_t jr_vm_error_count(const jr_vm *vm);
void jr_vm_error(const jr_vm *vm, uint32_t index, jr_runtime_error *error);

/* ---- several VMs sharing the contacts of one run --------------------------------
 * A host may run the contacts of one event log on several VMs (journey sim --threads,
 * spec/language.md 6.16) and report the figures of one VM. Counts add up; these give
 * what does not: the floating-point sums, whose last bits depend on the order of their
 * additions (jr_vm_on_figure tells each term, to be added up in one VM's order),
 * and the time-to-goal medians, which need the histograms. */

/* A journey's histogram of times from entry to goal (treated contacts, or the holdout):
 * bucket b counts the goals reached after t ms with floor(4 log2(t/1000 + 1)) = b
 * (quarter octaves of seconds, the last bucket taking the rest). */
#define JR_TIME_TO_GOAL_BUCKETS 128
void jr_vm_time_to_goal_histogram(const jr_vm *vm, uint32_t journey, bool holdout,
                                  uint64_t buckets[JR_TIME_TO_GOAL_BUCKETS]);
/* The median time to goal of such a histogram (added up over VMs, say), as
 * jr_journey_stats gives it: the geometric middle of the bucket holding the middle
 * goal, in ms; NaN when it is empty. */
double jr_time_to_goal_median(const uint64_t buckets[JR_TIME_TO_GOAL_BUCKETS]);

/* Tells fn of every term the VM adds to a floating-point figure from now on (NULL: no
 * longer); call it before the first event. Not in jr_config, whose layout is fixed
 * within a soname (spec/embedding.md 13). */
void jr_vm_on_figure(jr_vm *vm, jr_figure_fn fn, void *user);

/* The 64-bit hash by which a VM recognises a messageId it has seen (two ids with the
 * same hash count as one): a host that drops repeated messageIds before they reach
 * its VMs drops exactly those a VM would. Never 0. */
uint64_t jr_message_id_hash(const char *id, size_t length);

#ifdef __cplusplus
}
#endif
#endif
