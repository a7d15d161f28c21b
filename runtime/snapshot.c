/* snapshot.c: jr_vm_snapshot, and the codec that describes each record of the format
 * once for the writer and the reader (snapshot.h, spec/snapshot.md).
 *
 * Writing is two passes over the VM: one measures every part (and numbers the strings
 * the state refers to, in order of first use), the other writes the header, the parts
 * and the CRC through the host's function. Only the strings the state still refers to
 * are written, and the seen messageIds in ascending order, so the bytes depend on the
 * VM's state alone: a VM restored from a snapshot writes that same snapshot again. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "snapshot.h"

const char *jr_snapshot_part_name(uint32_t part)
{
    static const char *const names[JR_PART_LIMIT] = {
#define P(name, id) [id] = #name,
        JR_SNAPSHOT_PARTS(P)
#undef P
    };
    return part < JR_PART_LIMIT && names[part] ? names[part] : "?";
}

/* ---- the codec ------------------------------------------------------------------------ */

void jr_codec_fail(codec *c, const char *format, ...)
{
    if (c->bad) return;
    c->bad = true;
    va_list arguments;
    va_start(arguments, format);
    vsnprintf(c->problem, sizeof c->problem, format, arguments);
    va_end(arguments);
}

/* Hands the buffered bytes to the host, counting them in the CRC until the CRC itself
 * is written. */
static void flush(codec *c)
{
    if (c->checksummed) c->crc = (uint32_t)crc32(c->crc, c->buffer, (uInt)c->buffered);
    if (c->buffered && !c->write_failed && !c->write(c->user, c->buffer, c->buffered)) c->write_failed = true;
    c->buffered = 0;
}

static void put(codec *c, const void *bytes, size_t length)
{
    c->size += length;
    if (c->mode == CODEC_MEASURE) return;
    const unsigned char *from = bytes;
    while (length) {
        if (c->buffered == sizeof c->buffer) flush(c);
        size_t room = sizeof c->buffer - c->buffered, take = length < room ? length : room;
        memcpy(c->buffer + c->buffered, from, take);
        c->buffered += take;
        from += take;
        length -= take;
    }
}

void jr_codec_bytes(codec *c, void *bytes, size_t length)
{
    if (c->mode != CODEC_READ) {
        put(c, bytes, length);
        return;
    }
    if (c->bad || (size_t)(c->end - c->at) < length) {
        jr_codec_fail(c, "ends too early");
        memset(bytes, 0, length);
        return;
    }
    memcpy(bytes, c->at, length);
    c->at += length;
}

/* A little-endian unsigned integer of `width` bytes. */
static void codec_unsigned(codec *c, uint64_t *value, int width)
{
    unsigned char bytes[8] = { 0 };
    if (c->mode != CODEC_READ)
        for (int i = 0; i < width; i++) bytes[i] = (unsigned char)(*value >> (8 * i));
    jr_codec_bytes(c, bytes, (size_t)width);
    if (c->mode != CODEC_READ) return;
    *value = 0;
    for (int i = 0; i < width; i++) *value |= (uint64_t)bytes[i] << (8 * i);
}

/* Each field function reads the field when measuring or writing, and assigns it only
 * when reading: a VM being written is not touched. */
void jr_codec_u8(codec *c, uint8_t *value)
{
    uint64_t wide = c->mode == CODEC_READ ? 0 : *value;
    codec_unsigned(c, &wide, 1);
    if (c->mode == CODEC_READ) *value = (uint8_t)wide;
}

static void codec_u16(codec *c, uint16_t *value)
{
    uint64_t wide = c->mode == CODEC_READ ? 0 : *value;
    codec_unsigned(c, &wide, 2);
    if (c->mode == CODEC_READ) *value = (uint16_t)wide;
}

void jr_codec_u32(codec *c, uint32_t *value)
{
    uint64_t wide = c->mode == CODEC_READ ? 0 : *value;
    codec_unsigned(c, &wide, 4);
    if (c->mode == CODEC_READ) *value = (uint32_t)wide;
}

void jr_codec_u64(codec *c, uint64_t *value)
{
    uint64_t wide = c->mode == CODEC_READ ? 0 : *value;
    codec_unsigned(c, &wide, 8);
    if (c->mode == CODEC_READ) *value = wide;
}

void jr_codec_i64(codec *c, int64_t *value)
{
    uint64_t bits = c->mode == CODEC_READ ? 0 : (uint64_t)*value;
    codec_unsigned(c, &bits, 8);
    if (c->mode == CODEC_READ) *value = (int64_t)bits;
}

void jr_codec_f64(codec *c, double *value)
{
    uint64_t bits = 0;
    if (c->mode != CODEC_READ) memcpy(&bits, value, sizeof bits);
    codec_unsigned(c, &bits, 8);
    if (c->mode == CODEC_READ) memcpy(value, &bits, sizeof bits);
}

void jr_codec_instant(codec *c, int64_t *value, const char *what)
{
    jr_codec_i64(c, value);
    if (c->mode == CODEC_READ && (*value < -JR_SNAPSHOT_TIME_LIMIT || *value > JR_SNAPSHOT_TIME_LIMIT))
        jr_codec_fail(c, "%s %lld is out of range", what, (long long)*value);
}

void jr_codec_string(codec *c, uint32_t *handle)
{
    uint32_t reference = 0;
    if (c->mode == CODEC_MEASURE && *handle != JR_MISSING_STRING && *handle < c->handle_count) {
        if (!c->references[*handle]) {
            c->order[c->reference_count] = *handle;
            c->references[*handle] = ++c->reference_count;
        }
    }
    /* A handle that is no interned string (a scratch one, which state never holds) would
     * read as the empty string; it is written as the missing one. */
    if (c->mode == CODEC_WRITE && *handle < c->handle_count) reference = c->references[*handle];
    jr_codec_u32(c, &reference);
    if (c->mode != CODEC_READ) return;
    if (reference > c->reference_count) jr_codec_fail(c, "string %u does not exist", reference);
    *handle = reference > c->reference_count ? JR_MISSING_STRING : reference;
}

void jr_codec_value(codec *c, char type, jr_value *value)
{
    if (type == 's') {
        uint32_t handle = c->mode == CODEC_READ ? 0 : (uint32_t)*value;
        jr_codec_string(c, &handle);
        if (c->mode == CODEC_READ) *value = handle;
        return;
    }
    jr_codec_u64(c, value);
    if (c->mode == CODEC_READ && type == 'b' && *value > JR_MISSING_BOOL)
        jr_codec_fail(c, "bool %llu", (unsigned long long)*value);
}

/* ---- the records ------------------------------------------------------------------------- */

void jr_snapshot_state(codec *c, jr_vm *vm)
{
    jr_codec_instant(c, &vm->clock, "the clock");
    uint32_t flags = c->mode != CODEC_READ && vm->clock_started ? 1 : 0;
    jr_codec_u32(c, &flags);
    if (c->mode == CODEC_READ && flags > 1) jr_codec_fail(c, "unknown flags %u", flags);
    if (c->mode == CODEC_READ) vm->clock_started = flags & 1;
    jr_codec_u64(c, &vm->timers.next_sequence);
    jr_vm_stats *s = &vm->stats;
    uint64_t *stats[] = { &s->events, &s->undeclared, &s->duplicates, &s->out_of_order, &s->type_mismatches,
                          &s->timers_fired, &s->contacts, &s->runtime_errors, &s->actions };
    for (size_t i = 0; i < sizeof stats / sizeof *stats; i++) jr_codec_u64(c, stats[i]);
}

static void snapshot_aggregate(codec *c, const jr_AGGREGATES_record *a, uint8_t *at)
{
    if (a->window == JR_NONE) {
        aggregate_total *total = (aggregate_total *)at;
        jr_codec_f64(c, &total->value);
        jr_codec_u64(c, &total->count);
    } else if (a->kind == JR_AGGREGATE_COUNT) {
        count_window *window = (count_window *)at;
        jr_codec_instant(c, &window->newest, "aggregate bucket");
        for (int i = 0; i < JR_BUCKETS; i++) codec_u16(c, &window->counts[i]);
    } else {
        aggregate_window *window = (aggregate_window *)at;
        jr_codec_instant(c, &window->newest, "aggregate bucket");
        for (int i = 0; i < JR_BUCKETS; i++) jr_codec_f64(c, &window->values[i]);
        for (int i = 0; i < JR_BUCKETS; i++) jr_codec_u32(c, &window->counts[i]);
    }
}

static void snapshot_journey(codec *c, const jr_program *p, uint32_t journey, journey_state *state)
{
    const jr_JOURNEYS_record *j = &JR_TABLE(p, JOURNEYS)[journey];
    jr_codec_u8(c, &state->status);
    jr_codec_u8(c, &state->wait);
    jr_codec_u8(c, &state->goal_reached);
    uint32_t *words[] = { &state->node, &state->pc, &state->wait_index, &state->entries,
                          &state->generation, &state->sequence, &state->path };
    for (size_t i = 0; i < sizeof words / sizeof *words; i++) jr_codec_u32(c, words[i]);
    jr_codec_instant(c, &state->entered_at, "entry time");
    jr_codec_instant(c, &state->wait_started, "wait start");
    for (uint32_t i = 0; i < j->slot_count; i++)
        jr_codec_value(c, (char)JR_TABLE(p, SLOTS)[j->first_slot + i].type, &state->slots[i]);
}

void jr_snapshot_contact(codec *c, jr_vm *vm, uint8_t *record)
{
    const jr_program *p = vm->program;
    contact_header *header = (contact_header *)record;
    jr_codec_string(c, &header->id);
    jr_codec_i64(c, &header->last_event);
    if (c->mode == CODEC_READ && header->last_event != INT64_MIN &&
        (header->last_event < -JR_SNAPSHOT_TIME_LIMIT || header->last_event > JR_SNAPSHOT_TIME_LIMIT))
        jr_codec_fail(c, "latest event time %lld is out of range", (long long)header->last_event);
    jr_value *attributes = (jr_value *)(record + vm->attributes_offset);
    for (uint32_t i = 0; i < JR_COUNT(p, ATTRIBUTES); i++)
        jr_codec_value(c, (char)JR_TABLE(p, ATTRIBUTES)[i].type, &attributes[i]);
    score_state *scores = (score_state *)(record + vm->scores_offset);
    for (uint32_t i = 0; i < JR_COUNT(p, SCORES); i++) {
        jr_codec_f64(c, &scores[i].value);
        jr_codec_instant(c, &scores[i].updated, "score time");
    }
    for (uint32_t i = 0; i < JR_COUNT(p, AGGREGATES); i++)
        snapshot_aggregate(c, &JR_TABLE(p, AGGREGATES)[i], record + vm->aggregate_offsets[i]);
    for (uint32_t i = 0; i < JR_COUNT(p, LIMITS); i++) {
        int64_t *history = (int64_t *)(record + vm->limit_offsets[i]);
        for (uint32_t k = 0; k < JR_TABLE(p, LIMITS)[i].count; k++) jr_codec_instant(c, &history[k], "send time");
    }
    uint32_t segments = JR_COUNT(p, SEGMENTS);
    uint8_t *bits = record + vm->segments_offset;
    jr_codec_bytes(c, bits, (segments + 7) / 8);
    if (c->mode == CODEC_READ && segments % 8 && bits[segments / 8] >> (segments % 8))
        jr_codec_fail(c, "membership of segments the program does not have");
    for (uint32_t j = 0; j < JR_COUNT(p, JOURNEYS); j++)
        snapshot_journey(c, p, j, (journey_state *)(record + vm->journey_offsets[j]));
}

void jr_snapshot_timer(codec *c, jr_timer *timer)
{
    jr_codec_instant(c, &timer->due, "due time");
    jr_codec_u64(c, &timer->sequence);
    jr_codec_u32(c, &timer->contact);
    jr_codec_u32(c, &timer->journey);
    jr_codec_u32(c, &timer->generation);
}

static void snapshot_journey_counters(codec *c, journey_counters *j)
{
    uint64_t *counts[] = { &j->entered, &j->holdout, &j->active, &j->completed, &j->exited, &j->errors,
                           &j->goals_treated, &j->goals_holdout };
    for (size_t i = 0; i < sizeof counts / sizeof *counts; i++) jr_codec_u64(c, counts[i]);
    double *sums[] = { &j->goal_value_treated, &j->goal_value_holdout, &j->time_to_goal_sum[0], &j->time_to_goal_sum[1] };
    for (size_t i = 0; i < sizeof sums / sizeof *sums; i++) jr_codec_f64(c, sums[i]);
    for (int group = 0; group < 2; group++)
        for (int b = 0; b < JR_GOAL_TIME_BUCKETS; b++) jr_codec_u32(c, &j->time_to_goal[group][b]);
}

static void snapshot_node_counters(codec *c, node_counters *n)
{
    uint64_t *counts[] = { &n->entered, &n->here, &n->errors, &n->exited, &n->goals,
                           &n->sent, &n->deferred, &n->suppressed, &n->converted };
    for (size_t i = 0; i < sizeof counts / sizeof *counts; i++) jr_codec_u64(c, counts[i]);
    double *sums[] = { &n->goal_value, &n->converted_value, &n->last_touch, &n->last_touch_value, &n->linear,
                       &n->linear_value };
    for (size_t i = 0; i < sizeof sums / sizeof *sums; i++) jr_codec_f64(c, sums[i]);
}

void jr_snapshot_counters(codec *c, jr_vm *vm)
{
    const jr_program *p = vm->program;
    for (uint32_t j = 0; j < JR_COUNT(p, JOURNEYS); j++) snapshot_journey_counters(c, &vm->journey_counters[j]);
    for (uint32_t m = 0; m < JR_COUNT(p, MESSAGES); m++) {
        message_counters *counters = &vm->message_counters[m];
        jr_codec_u64(c, &counters->sent);
        jr_codec_u64(c, &counters->deferred);
        jr_codec_u64(c, &counters->suppressed_by_limit);
        jr_codec_u64(c, &counters->suppressed_by_quiet_hours);
    }
    uint32_t nodes = JR_COUNT(p, NODES), node_exits = 0;
    for (uint32_t n = 0; n < nodes; n++) {
        snapshot_node_counters(c, &vm->node_counters[n]);
        node_exits += JR_TABLE(p, JOURNEYS)[JR_TABLE(p, NODES)[n].journey].exit_count;
    }
    for (uint32_t i = 0; i < node_exits; i++) jr_codec_u64(c, &vm->node_exits[i]);
    for (uint32_t i = 0; i < JR_COUNT(p, EXITS); i++) jr_codec_u64(c, &vm->exit_counters[i]);
}

void jr_snapshot_path(codec *c, path_entry *entry)
{
    jr_codec_u32(c, &entry->previous);
    jr_codec_u32(c, &entry->node);
}

void jr_snapshot_error(codec *c, recorded_error *error)
{
    jr_codec_u32(c, &error->contact);
    jr_codec_u32(c, &error->journey);
    jr_codec_u32(c, &error->file);
    jr_codec_u32(c, &error->line);
    jr_codec_instant(c, &error->at, "error time");
    uint8_t length = (uint8_t)strnlen(error->message, sizeof error->message - 1);
    jr_codec_u8(c, &length);
    if (c->mode == CODEC_READ && length >= sizeof error->message) {
        jr_codec_fail(c, "a message of %u bytes is longer than %zu", length, sizeof error->message - 1);
        return;
    }
    jr_codec_bytes(c, error->message, length);
    if (c->mode == CODEC_READ) error->message[length] = '\0';
}

/* ---- writing ------------------------------------------------------------------------------ */

typedef struct writer {
    jr_vm *vm;
    uint64_t *seen; /* the seen messageIds' hashes, ascending */
    uint32_t seen_count;
} writer;

static void write_state(codec *c, writer *w) { jr_snapshot_state(c, w->vm); }

static void write_strings(codec *c, writer *w)
{
    uint32_t count = c->reference_count;
    jr_codec_u32(c, &count);
    for (uint32_t r = 0; r < count; r++) {
        uint32_t length;
        const char *bytes = jr_strings_get(&w->vm->strings, c->order[r], &length);
        jr_codec_u32(c, &length);
        put(c, bytes, length);
    }
}

static void write_contacts(codec *c, writer *w)
{
    jr_codec_u32(c, &w->vm->contact_count);
    for (uint32_t i = 0; i < w->vm->contact_count; i++) jr_snapshot_contact(c, w->vm, jr_contact_record(w->vm, i));
}

static void write_timers(codec *c, writer *w)
{
    jr_codec_u32(c, &w->vm->timers.count);
    for (uint32_t i = 0; i < w->vm->timers.count; i++) jr_snapshot_timer(c, &w->vm->timers.heap[i]);
}

static void write_seen(codec *c, writer *w)
{
    jr_codec_u32(c, &w->seen_count);
    for (uint32_t i = 0; i < w->seen_count; i++) jr_codec_u64(c, &w->seen[i]);
}

static void write_counters(codec *c, writer *w) { jr_snapshot_counters(c, w->vm); }

static void write_paths(codec *c, writer *w)
{
    jr_codec_u32(c, &w->vm->path_count);
    for (uint32_t i = 0; i < w->vm->path_count; i++) jr_snapshot_path(c, &w->vm->paths[i]);
}

static void write_errors(codec *c, writer *w)
{
    jr_codec_u32(c, &w->vm->error_count);
    for (uint32_t i = 0; i < w->vm->error_count; i++) jr_snapshot_error(c, &w->vm->errors[i]);
}

static void (*const part_writers[JR_PART_LIMIT])(codec *, writer *) = {
    [JR_PART_STATE] = write_state,       [JR_PART_STRINGS] = write_strings, [JR_PART_CONTACTS] = write_contacts,
    [JR_PART_TIMERS] = write_timers,     [JR_PART_SEEN] = write_seen,       [JR_PART_COUNTERS] = write_counters,
    [JR_PART_PATHS] = write_paths,       [JR_PART_ERRORS] = write_errors,
};

static int ascending(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

jr_status jr_vm_snapshot(const jr_vm *vm, jr_write_fn write, void *user, jr_error *error)
{
    if (!vm || !write) return jr_fail(error, JR_ERROR_ARGUMENT, "no VM or no write function");
    /* An allocation that failed may have left a coroutine without its timer or an action
     * undelivered: such a state is not worth keeping. */
    if (vm->out_of_memory || vm->strings.out_of_memory)
        return jr_fail(error, JR_ERROR_MEMORY, "the VM ran out of memory earlier, so its state may be incomplete");
    /* The codec's record functions serve reading too, so they take the VM as mutable;
     * measuring and writing only read it (snapshot.h). */
    writer w = { (jr_vm *)vm, NULL, 0 };
    jr_allocator host = vm->memory.host; /* scratch for this call only: not the VM's */
    codec c = { .mode = CODEC_MEASURE, .handle_count = vm->strings.count };
    c.references = host.realloc(host.user, NULL, sizeof(uint32_t) * 2 * (size_t)c.handle_count);
    w.seen = host.realloc(host.user, NULL, sizeof(uint64_t) * ((size_t)vm->seen_count + 1));
    if (!c.references || !w.seen) {
        if (c.references) host.realloc(host.user, c.references, 0);
        if (w.seen) host.realloc(host.user, w.seen, 0);
        return jr_fail(error, JR_ERROR_MEMORY, "out of memory writing a snapshot");
    }
    memset(c.references, 0, sizeof(uint32_t) * c.handle_count);
    c.order = c.references + c.handle_count;
    for (uint32_t i = 0; i < vm->seen_capacity && w.seen_count < vm->seen_count; i++)
        if (vm->seen[i]) w.seen[w.seen_count++] = vm->seen[i];
    qsort(w.seen, w.seen_count, sizeof *w.seen, ascending);

    /* Measure every part, CONTACTS first: it numbers the strings STRINGS holds. */
    uint64_t sizes[JR_PART_LIMIT] = { 0 };
    uint64_t total = JR_SNAPSHOT_HEADER_BYTES + JR_SNAPSHOT_CRC_BYTES;
    part_writers[JR_PART_CONTACTS](&c, &w);
    sizes[JR_PART_CONTACTS] = c.size;
    for (uint32_t part = 1; part < JR_PART_LIMIT; part++) {
        if (part != JR_PART_CONTACTS) {
            c.size = 0;
            part_writers[part](&c, &w);
            sizes[part] = c.size;
        }
        total += JR_SNAPSHOT_PART_HEADER_BYTES + sizes[part];
    }

    c.mode = CODEC_WRITE;
    c.size = 0;
    c.write = write;
    c.user = user;
    c.crc = (uint32_t)crc32(0L, Z_NULL, 0);
    c.checksummed = true;
    put(&c, JR_SNAPSHOT_MAGIC, JR_SNAPSHOT_MAGIC_LENGTH);
    uint32_t version = JR_SNAPSHOT_VERSION, program = vm->program->bytecode_crc;
    jr_codec_u32(&c, &version);
    jr_codec_u32(&c, &program);
    jr_codec_u64(&c, &total);
    for (uint32_t part = 1; part < JR_PART_LIMIT && !c.write_failed; part++) {
        jr_codec_u32(&c, &part);
        jr_codec_u64(&c, &sizes[part]);
        part_writers[part](&c, &w);
    }
    flush(&c);
    c.checksummed = false;
    unsigned char crc[JR_SNAPSHOT_CRC_BYTES];
    for (int i = 0; i < 4; i++) crc[i] = (unsigned char)(c.crc >> (8 * i));
    put(&c, crc, sizeof crc);
    flush(&c);
    host.realloc(host.user, c.references, 0);
    host.realloc(host.user, w.seen, 0);
    if (c.write_failed) return jr_fail(error, JR_ERROR_IO, "the snapshot could not be written");
    return JR_OK;
}
