/* snapshot_restore.c: jr_vm_restore, a VM made from a snapshot and verified like
 * bytecode (spec/snapshot.md, section 4), so that any bytes are safe.
 *
 * Order: size, magic, version, length, CRC, program; then the parts in their order.
 * Each part's counts are checked against its length before anything is allocated, so
 * what a restore allocates is bounded by the snapshot's length. Every field is checked
 * as it is read (snapshot.c: string references, bools, instants); every journey state
 * against the program (status, wait, node, and for a waiting coroutine a resumption
 * point of its journey's code that the verifier reached); timers, paths and errors
 * against what they name; the counters of contacts in journeys and at nodes against the
 * states. Nothing is handed out until all of it holds. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <zlib.h>

#include "snapshot.h"

static uint32_t read_u32(const unsigned char *p) { return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24; }
static uint64_t read_u64(const unsigned char *p) { return read_u32(p) | (uint64_t)read_u32(p + 4) << 32; }

typedef struct reader {
    jr_vm *vm;
    const jr_program *program;
    jr_allocator host; /* scratch for the restore only */
    codec c;           /* over the part being read */
    const char *part;
    uint32_t largest_path; /* the largest path entry a journey state refers to */
    jr_status status;
    jr_error *error;
} reader;

static bool reject(reader *r, const char *format, ...) __attribute__((format(printf, 2, 3)));
static bool reject(reader *r, const char *format, ...)
{
    char reason[200];
    va_list arguments;
    va_start(arguments, format);
    vsnprintf(reason, sizeof reason, format, arguments);
    va_end(arguments);
    r->status = jr_fail(r->error, JR_ERROR_BYTECODE, "snapshot rejected: %s: %s", r->part, reason);
    return false;
}

static bool out_of_memory(reader *r)
{
    r->status = jr_fail(r->error, JR_ERROR_MEMORY, "out of memory restoring a snapshot");
    return false;
}

/* A block the VM will hold (counted against its memory limit), or NULL. */
static void *vm_block(reader *r, size_t count, size_t size)
{
    if (count == 0 || size > SIZE_MAX / count) return NULL;
    return r->vm->allocator.realloc(r->vm->allocator.user, NULL, count * size);
}

static void *scratch(reader *r, size_t count, size_t size)
{
    if (size > SIZE_MAX / (count ? count : 1)) return NULL;
    return r->host.realloc(r->host.user, NULL, count ? count * size : 1);
}

static void release(reader *r, void *block)
{
    if (block) r->host.realloc(r->host.user, block, 0);
}

static size_t remaining(const reader *r) { return (size_t)(r->c.end - r->c.at); }

/* Reads a part's record count and checks that count records of `each` bytes fill what
 * is left of the part exactly. */
static bool read_count(reader *r, uint32_t *count, size_t each, const char *what)
{
    jr_codec_u32(&r->c, count);
    if (r->c.bad) return reject(r, "no count of %s", what);
    if (remaining(r) % each != 0 || remaining(r) / each != *count)
        return reject(r, "%u %s do not fill its %zu bytes", *count, what, remaining(r));
    return true;
}

static bool field_ok(reader *r, const char *what, uint32_t index)
{
    return !r->c.bad || reject(r, "%s %u: %s", what, index, r->c.problem);
}

static const char *journey_name(const reader *r, uint32_t journey)
{
    return r->program->strings[JR_TABLE(r->program, JOURNEYS)[journey].name].bytes;
}

/* ---- STATE and STRINGS -------------------------------------------------------------------- */

static bool read_state(reader *r)
{
    jr_snapshot_state(&r->c, r->vm);
    return !r->c.bad || reject(r, "%s", r->c.problem);
}

/* The strings are interned in order into the new VM, so reference k is handle k. */
static bool read_strings(reader *r)
{
    uint32_t count = 0;
    jr_codec_u32(&r->c, &count);
    if (r->c.bad || count > remaining(r) / 4) return reject(r, "%u strings cannot fit in %zu bytes", count, remaining(r));
    for (uint32_t k = 1; k <= count; k++) {
        uint32_t length = 0;
        jr_codec_u32(&r->c, &length);
        if (r->c.bad || length > remaining(r)) return reject(r, "string %u lies outside the part", k);
        uint32_t handle = jr_strings_intern(&r->vm->strings, (const char *)r->c.at, length);
        if (r->vm->strings.out_of_memory || handle == JR_MISSING_STRING) return out_of_memory(r);
        if (handle != k) return reject(r, "string %u repeats string %u", k, handle);
        r->c.at += length;
    }
    r->c.reference_count = count;
    return true;
}

/* ---- CONTACTS ------------------------------------------------------------------------------ */

/* The bytes of one contact in the format: measured on an empty record. */
static bool contact_bytes(reader *r, size_t *bytes)
{
    uint8_t *empty = scratch(r, 1, r->vm->record_size);
    if (!empty) return out_of_memory(r);
    memset(empty, 0, r->vm->record_size);
    codec measure = { .mode = CODEC_MEASURE };
    jr_snapshot_contact(&measure, r->vm, empty);
    release(r, empty);
    *bytes = (size_t)measure.size;
    return true;
}

/* The rules of one journey state that need no other part (spec/snapshot.md 4.3). */
static bool journey_state_ok(reader *r, uint32_t contact, uint32_t journey, const journey_state *s)
{
    const jr_program *p = r->program;
    const jr_JOURNEYS_record *j = &JR_TABLE(p, JOURNEYS)[journey];
    const char *problem = NULL;
    uint32_t node = s->node - 1;
    bool node_ok = s->node == 0 || (node >= j->first_node && node - j->first_node < j->node_count &&
                                    !jr_node_kind_is_arm(JR_TABLE(p, NODES)[node].kind));
    if (s->status > JOURNEY_DONE) problem = "unknown status";
    else if (s->wait > WAIT_SELECT) problem = "unknown kind of wait";
    else if (s->goal_reached > 1) problem = "a goal flag that is neither 0 nor 1";
    else if (!node_ok) problem = "a node that is no statement of the journey";
    else if (s->status == JOURNEY_NEVER) {
        if (s->wait || s->entries || s->node || s->path || s->goal_reached) problem = "never entered, yet with a history";
    } else if (s->entries == 0) problem = "in the journey without having entered it";
    else if (s->status == JOURNEY_RUNNING && s->wait == WAIT_NONE) problem = "running without waiting";
    else if (s->status == JOURNEY_HOLDOUT && (s->wait != WAIT_TIMER || s->node || !j->holdout))
        problem = "in a holdout the journey does not have, or not waiting for its goal window";
    else if (s->status == JOURNEY_DONE && s->wait != WAIT_NONE) problem = "ended, yet waiting";
    if (problem) return reject(r, "contact %u, journey '%s': %s", contact, journey_name(r, journey), problem);
    if (s->path > r->largest_path) r->largest_path = s->path;
    return true;
}

static bool read_contacts(reader *r)
{
    jr_vm *vm = r->vm;
    size_t each;
    uint32_t count = 0;
    if (!contact_bytes(r, &each) || !read_count(r, &count, each, "contacts")) return false;
    if (count > (1u << 30)) return reject(r, "%u contacts are more than a VM holds", count);
    if (count) {
        uint32_t buckets = 1024;
        while (((uint64_t)count + 1) * 2 > buckets) buckets *= 2;
        vm->records = vm_block(r, count, vm->record_size);
        vm->contact_buckets = vm_block(r, buckets, sizeof(uint32_t));
        if (!vm->records || !vm->contact_buckets) return out_of_memory(r);
        memset(vm->contact_buckets, 0, sizeof(uint32_t) * buckets);
        vm->contact_capacity = count;
        vm->contact_bucket_count = buckets;
    }
    for (uint32_t i = 0; i < count; i++) {
        uint8_t *record = jr_contact_record(vm, i);
        memset(record, 0, vm->record_size);
        jr_snapshot_contact(&r->c, vm, record);
        if (!field_ok(r, "contact", i)) return false;
        for (uint32_t j = 0; j < JR_COUNT(r->program, JOURNEYS); j++)
            if (!journey_state_ok(r, i, j, jr_journey_state(vm, i, j))) return false;
        uint32_t length, slot;
        const char *id = jr_strings_get(&vm->strings, ((contact_header *)record)->id, &length);
        uint32_t same = jr_vm_lookup_contact(vm, id, length, &slot);
        if (same != JR_NONE) return reject(r, "contact %u has the id of contact %u", i, same);
        vm->contact_buckets[slot] = i + 1;
        vm->contact_count = i + 1;
    }
    return true;
}

/* ---- resumption points ------------------------------------------------------------------------ */

static void visit(uint32_t target, uint32_t words, uint8_t *reachable, uint32_t *worklist, uint32_t *pending)
{
    if (target >= words || (reachable[target / 8] >> (target % 8)) & 1) return;
    reachable[target / 8] |= (uint8_t)(1u << (target % 8));
    worklist[(*pending)++] = target;
}

/* Marks the instructions of a journey function reachable from its start, by the same
 * successors as the verifier's walk (verifier.c): only those were verified. A SELECT
 * has no fall-through: its coroutine resumes at an arm or at its after target. */
static void mark_reachable(const jr_program *p, const jr_FUNCTIONS_record *f, uint8_t *reachable, uint32_t *worklist)
{
    uint32_t words = f->word_count, pending = 0;
    memset(reachable, 0, (words + 7) / 8);
    visit(0, words, reachable, worklist, &pending);
    while (pending) {
        uint32_t pc = worklist[--pending], word = p->code[f->first_word + pc];
        uint32_t u = jr_decode_u(word);
        switch (jr_decode_op(word)) {
        case JR_OP_JUMP: visit(u, words, reachable, worklist, &pending); break;
        case JR_OP_JUMP_IF_FALSE: case JR_OP_JUMP_IF_FALSE_KEEP: case JR_OP_JUMP_IF_TRUE_KEEP:
            visit(u, words, reachable, worklist, &pending);
            visit(pc + 1, words, reachable, worklist, &pending);
            break;
        case JR_OP_JUMP_IF_PRESENT:
            visit(jr_decode_b(word), words, reachable, worklist, &pending);
            visit(pc + 1, words, reachable, worklist, &pending);
            break;
        case JR_OP_RETURN: case JR_OP_EXIT: case JR_OP_HALT: break;
        case JR_OP_SELECT: {
            if (u >= JR_COUNT(p, SELECTS)) break;
            const jr_SELECTS_record *select = &JR_TABLE(p, SELECTS)[u];
            for (uint32_t a = 0; a < select->arm_count && select->first_arm + a < JR_COUNT(p, SELECT_ARMS); a++)
                visit(JR_TABLE(p, SELECT_ARMS)[select->first_arm + a].target, words, reachable, worklist, &pending);
            if (select->has_after) visit(select->after_target, words, reachable, worklist, &pending);
            break;
        }
        case JR_OP_SPLIT: {
            if (u >= JR_COUNT(p, SPLITS)) break;
            const jr_SPLITS_record *split = &JR_TABLE(p, SPLITS)[u];
            for (uint32_t a = 0; a < split->arm_count && split->first_arm + a < JR_COUNT(p, SPLIT_ARMS); a++)
                visit(JR_TABLE(p, SPLIT_ARMS)[split->first_arm + a].target, words, reachable, worklist, &pending);
            break;
        }
        default: visit(pc + 1, words, reachable, worklist, &pending);
        }
    }
}

/* A running coroutine rests just after the reachable instruction it suspended at: a
 * WAIT, WAIT_UNTIL or WAIT_UNTIL_CLOCK for a timer, the WAIT_FOR or SELECT of its
 * wait_index for an event. */
static bool resumes_ok(const jr_program *p, const jr_FUNCTIONS_record *f, const journey_state *s, const uint8_t *reachable)
{
    if (s->pc == 0 || s->pc > f->word_count || !((reachable[(s->pc - 1) / 8] >> ((s->pc - 1) % 8)) & 1)) return false;
    uint32_t word = p->code[f->first_word + s->pc - 1];
    jr_opcode op = jr_decode_op(word);
    switch (s->wait) {
    case WAIT_TIMER: return op == JR_OP_WAIT || op == JR_OP_WAIT_UNTIL || op == JR_OP_WAIT_UNTIL_CLOCK;
    case WAIT_EVENT: return op == JR_OP_WAIT_FOR && jr_decode_u(word) == s->wait_index;
    case WAIT_SELECT: return op == JR_OP_SELECT && jr_decode_u(word) == s->wait_index;
    default: return false;
    }
}

static bool resumptions_ok(reader *r)
{
    const jr_program *p = r->program;
    uint32_t longest = 1;
    for (uint32_t j = 0; j < JR_COUNT(p, JOURNEYS); j++) {
        uint32_t words = JR_TABLE(p, FUNCTIONS)[JR_TABLE(p, JOURNEYS)[j].function].word_count;
        if (words > longest) longest = words;
    }
    uint8_t *reachable = scratch(r, (longest + 7) / 8, 1);
    uint32_t *worklist = scratch(r, longest, sizeof(uint32_t));
    bool ok = reachable && worklist;
    if (!ok) out_of_memory(r);
    for (uint32_t j = 0; ok && j < JR_COUNT(p, JOURNEYS); j++) {
        const jr_FUNCTIONS_record *f = &JR_TABLE(p, FUNCTIONS)[JR_TABLE(p, JOURNEYS)[j].function];
        bool marked = false; /* only for journeys with a coroutine */
        for (uint32_t i = 0; ok && i < r->vm->contact_count; i++) {
            const journey_state *s = jr_journey_state(r->vm, i, j);
            if (s->status != JOURNEY_RUNNING) continue;
            if (!marked) mark_reachable(p, f, reachable, worklist);
            marked = true;
            if (!resumes_ok(p, f, s, reachable))
                ok = reject(r, "contact %u, journey '%s': instruction %u is not where a coroutine waits for a %s", i,
                            journey_name(r, j), s->pc,
                            s->wait == WAIT_TIMER ? "timer" : s->wait == WAIT_EVENT ? "wait for" : "select");
        }
    }
    release(r, reachable);
    release(r, worklist);
    return ok;
}

/* ---- TIMERS and SEEN --------------------------------------------------------------------------- */

static bool read_timers(reader *r)
{
    jr_vm *vm = r->vm;
    uint32_t count = 0;
    if (!read_count(r, &count, 28, "timers")) return false;
    if (count && !(vm->timers.heap = vm_block(r, count, sizeof(jr_timer)))) return out_of_memory(r);
    vm->timers.capacity = count;
    for (uint32_t i = 0; i < count; i++) {
        jr_timer *t = &vm->timers.heap[i];
        jr_snapshot_timer(&r->c, t);
        if (!field_ok(r, "timer", i)) return false;
        if (t->contact >= vm->contact_count || t->journey >= JR_COUNT(r->program, JOURNEYS))
            return reject(r, "timer %u names contact %u, journey %u, which do not exist", i, t->contact, t->journey);
        if (t->sequence >= vm->timers.next_sequence)
            return reject(r, "timer %u has sequence %llu, not below the next one", i, (unsigned long long)t->sequence);
        /* the heap order of timers.c: no timer before its parent */
        const jr_timer *parent = i ? &vm->timers.heap[(i - 1) / 2] : t;
        if (jr_timer_earlier(t, parent))
            return reject(r, "timer %u comes before its parent in the queue", i);
        vm->timers.count = i + 1;
    }
    return true;
}

static bool read_seen(reader *r)
{
    jr_vm *vm = r->vm;
    uint32_t count = 0, capacity = 4096;
    if (!read_count(r, &count, 8, "messageIds")) return false;
    if (!count) return true;
    while (((uint64_t)count + 1) * 2 > capacity) capacity *= 2;
    if (!(vm->seen = vm_block(r, capacity, sizeof(uint64_t)))) return out_of_memory(r);
    memset(vm->seen, 0, sizeof(uint64_t) * capacity);
    vm->seen_capacity = capacity;
    uint64_t previous = 0;
    for (uint32_t i = 0; i < count; i++) {
        uint64_t hash = 0;
        jr_codec_u64(&r->c, &hash);
        if (hash <= previous) return reject(r, "messageId %u is not above the one before", i);
        previous = hash;
        uint32_t slot = (uint32_t)hash & (capacity - 1); /* as vm.c's first_sight places it */
        while (vm->seen[slot]) slot = (slot + 1) & (capacity - 1);
        vm->seen[slot] = hash;
        vm->seen_count = i + 1;
    }
    return true;
}

/* ---- COUNTERS --------------------------------------------------------------------------------- */

/* The contacts each journey counts as active, and each node as here, are the states'. */
static bool counters_match_states(reader *r)
{
    const jr_program *p = r->program;
    jr_vm *vm = r->vm;
    uint32_t journeys = JR_COUNT(p, JOURNEYS), nodes = JR_COUNT(p, NODES);
    uint64_t *active = scratch(r, (size_t)journeys + nodes, sizeof(uint64_t));
    if (!active) return out_of_memory(r);
    uint64_t *here = active + journeys;
    memset(active, 0, sizeof(uint64_t) * ((size_t)journeys + nodes));
    for (uint32_t i = 0; i < vm->contact_count; i++)
        for (uint32_t j = 0; j < journeys; j++) {
            const journey_state *s = jr_journey_state(vm, i, j);
            active[j] += s->status == JOURNEY_RUNNING || s->status == JOURNEY_HOLDOUT;
            if (s->status == JOURNEY_RUNNING && s->node) here[s->node - 1]++;
        }
    bool ok = true;
    for (uint32_t j = 0; ok && j < journeys; j++)
        if (active[j] != vm->journey_counters[j].active)
            ok = reject(r, "journey '%s' counts %llu contacts in it, the states %llu", journey_name(r, j),
                        (unsigned long long)vm->journey_counters[j].active, (unsigned long long)active[j]);
    for (uint32_t n = 0; ok && n < nodes; n++)
        if (here[n] != vm->node_counters[n].here)
            ok = reject(r, "node %u counts %llu contacts at it, the states %llu", n,
                        (unsigned long long)vm->node_counters[n].here, (unsigned long long)here[n]);
    release(r, active);
    return ok;
}

static bool read_counters(reader *r)
{
    codec measure = { .mode = CODEC_MEASURE };
    jr_snapshot_counters(&measure, r->vm);
    if (remaining(r) != measure.size)
        return reject(r, "%zu bytes, where the program's counters take %llu", remaining(r),
                      (unsigned long long)measure.size);
    jr_snapshot_counters(&r->c, r->vm);
    return (!r->c.bad || reject(r, "%s", r->c.problem)) && counters_match_states(r);
}

/* ---- PATHS and ERRORS ------------------------------------------------------------------------- */

static bool read_paths(reader *r)
{
    jr_vm *vm = r->vm;
    uint32_t count = 0;
    if (!read_count(r, &count, 8, "path entries")) return false;
    if (count && !(vm->paths = vm_block(r, count, sizeof(path_entry)))) return out_of_memory(r);
    vm->path_capacity = count;
    for (uint32_t i = 0; i < count; i++) {
        path_entry *entry = &vm->paths[i];
        jr_snapshot_path(&r->c, entry);
        /* each entry follows an earlier one (1-based), so a walk back always ends */
        if (entry->previous > i || entry->node >= JR_COUNT(r->program, NODES))
            return reject(r, "entry %u follows entry %u or names node %u", i, entry->previous, entry->node);
        vm->path_count = i + 1;
    }
    if (r->largest_path > count) return reject(r, "a journey state refers to entry %u of %u", r->largest_path, count);
    return true;
}

static bool read_errors(reader *r)
{
    jr_vm *vm = r->vm;
    uint32_t count = 0;
    jr_codec_u32(&r->c, &count);
    /* an error takes 25 bytes at least: four u32, an i64, its message's length */
    if (r->c.bad || count > JR_MAX_RECORDED_ERRORS || count > remaining(r) / 25)
        return reject(r, "%u errors cannot fit in %zu bytes, or are more than %d", count, remaining(r),
                      JR_MAX_RECORDED_ERRORS);
    if (count && !(vm->errors = vm_block(r, count, sizeof(recorded_error)))) return out_of_memory(r);
    vm->error_capacity = count;
    for (uint32_t i = 0; i < count; i++) {
        recorded_error *e = &vm->errors[i];
        jr_snapshot_error(&r->c, e);
        if (!field_ok(r, "error", i)) return false;
        if (e->contact >= vm->contact_count || (e->journey != JR_NONE && e->journey >= JR_COUNT(r->program, JOURNEYS)) ||
            (e->file != JR_NONE && e->file >= r->program->string_count))
            return reject(r, "error %u names a contact, journey or file that does not exist", i);
        vm->error_count = i + 1;
    }
    return true;
}

static bool (*const part_readers[JR_PART_LIMIT])(reader *) = {
    [JR_PART_STATE] = read_state,     [JR_PART_STRINGS] = read_strings, [JR_PART_CONTACTS] = read_contacts,
    [JR_PART_TIMERS] = read_timers,   [JR_PART_SEEN] = read_seen,       [JR_PART_COUNTERS] = read_counters,
    [JR_PART_PATHS] = read_paths,     [JR_PART_ERRORS] = read_errors,
};

/* ---- the whole ----------------------------------------------------------------------------------- */

/* The header and the CRC: whether these bytes are a whole snapshot of this program. */
static jr_status header_ok(const jr_program *program, const unsigned char *bytes, size_t length, jr_error *error)
{
    if (length < JR_SNAPSHOT_HEADER_BYTES + JR_SNAPSHOT_CRC_BYTES)
        return jr_fail(error, JR_ERROR_BYTECODE, "not a snapshot: %zu bytes are too few", length);
    if (memcmp(bytes, JR_SNAPSHOT_MAGIC, JR_SNAPSHOT_MAGIC_LENGTH) != 0)
        return jr_fail(error, JR_ERROR_BYTECODE, "not a snapshot: bad magic");
    uint32_t version = read_u32(bytes + 8);
    if (version != JR_SNAPSHOT_VERSION)
        return jr_fail(error, JR_ERROR_BYTECODE, "snapshot format %u is not supported (this runtime reads %u)", version,
                       JR_SNAPSHOT_VERSION);
    uint64_t declared = read_u64(bytes + 16);
    if (declared != length)
        return jr_fail(error, JR_ERROR_BYTECODE, "the snapshot is %llu bytes long, but %zu were given%s",
                       (unsigned long long)declared, length, length < declared ? ": it is truncated" : "");
    size_t checked = length - JR_SNAPSHOT_CRC_BYTES;
    if ((uint32_t)crc32(0L, bytes, (uInt)checked) != read_u32(bytes + checked))
        return jr_fail(error, JR_ERROR_BYTECODE, "checksum mismatch: the snapshot is damaged");
    uint32_t made_by = read_u32(bytes + 12);
    if (made_by != program->bytecode_crc)
        return jr_fail(error, JR_ERROR_BYTECODE,
                       "the snapshot is of another program (its bytecode's CRC is %08x, this program's %08x)", made_by,
                       program->bytecode_crc);
    return JR_OK;
}

static bool read_parts(reader *r, const unsigned char *at, const unsigned char *end)
{
    for (uint32_t part = 1; part < JR_PART_LIMIT; part++) {
        r->part = jr_snapshot_part_name(part);
        if ((size_t)(end - at) < JR_SNAPSHOT_PART_HEADER_BYTES) return reject(r, "the snapshot ends before it");
        uint32_t id = read_u32(at);
        uint64_t length = read_u64(at + 4);
        at += JR_SNAPSHOT_PART_HEADER_BYTES;
        if (id != part) return reject(r, "part %u is where this part belongs", id);
        if (length > (uint64_t)(end - at)) return reject(r, "%llu bytes run past the end", (unsigned long long)length);
        r->c.bad = false;
        r->c.at = at;
        r->c.end = at + length;
        if (!part_readers[part](r)) return false;
        if (r->c.at != r->c.end) return reject(r, "%zu bytes left over", remaining(r));
        at = r->c.end;
    }
    r->part = "snapshot";
    return at == end || reject(r, "%zu bytes after the last part", (size_t)(end - at));
}

jr_status jr_vm_restore(const jr_program *program, const jr_config *config, const void *bytes, size_t length, jr_vm **out,
                        jr_error *error)
{
    if (!program || !out || (!bytes && length))
        return jr_fail(error, JR_ERROR_ARGUMENT, "no program, snapshot or VM to fill");
    *out = NULL;
    if (!bytes) return jr_fail(error, JR_ERROR_BYTECODE, "not a snapshot: 0 bytes are too few");
    jr_status status = header_ok(program, bytes, length, error);
    if (status != JR_OK) return status;
    jr_vm *vm;
    status = jr_vm_new(program, config, &vm, error);
    if (status != JR_OK) return status;
    reader r = { vm, program, vm->memory.host, { .mode = CODEC_READ }, "snapshot", 0, JR_OK, error };
    const unsigned char *start = bytes;
    bool ok = read_parts(&r, start + JR_SNAPSHOT_HEADER_BYTES, start + length - JR_SNAPSHOT_CRC_BYTES);
    if (ok) {
        r.part = "CONTACTS"; /* where the states came from */
        ok = resumptions_ok(&r);
    }
    if (!ok) {
        jr_vm_free(vm);
        return r.status;
    }
    if (!jr_memory_allows(&vm->memory, 0)) {
        size_t held = vm->memory.held, limit = vm->memory.limit;
        jr_vm_free(vm);
        return jr_fail(error, JR_ERROR_LIMIT, "the restored VM would hold %zu bytes, more than its memory limit of %zu",
                       held, limit);
    }
    *out = vm;
    return JR_OK;
}
