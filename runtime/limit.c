/* limit.c: jr_config.memory_limit. Before each unit of work (firing one timer, applying
 * one event), the VM checks that the bytes it holds plus what its tables would take if
 * this unit made them grow stay within the limit; if not, the unit does not start
 * (vm.c: jr_vm_advance, jr_vm_post). A unit that starts always finishes: no allocation
 * is ever refused for the limit, so no event is half applied.
 *
 * The growth of each table mirrors the rule of the code that grows it: contacts and
 * their hash table, and seen messageIds (vm.c), interned strings (strings.c), timers
 * (timers.c), attribution paths and kept errors (vm.c). An event adds at most one
 * contact and one messageId; it may add several strings, timers, path entries and
 * errors, so those tables count as growing when they are within MARGIN entries of it.
 * What a unit computes besides (the bytes of the strings it keeps, scratch space for
 * its values and actions) is not foreseen: by that much, at most, the VM may pass its
 * limit. */
#include "vm.h"

enum { MARGIN = 64 }; /* entries one unit may add to a table, as far as foreseen */

/* Saturating sum, so that absurd sizes refuse work rather than wrap. */
static size_t add(size_t a, size_t b) { return a > SIZE_MAX - b ? SIZE_MAX : a + b; }

static size_t times(size_t count, size_t size) { return count && size > SIZE_MAX / count ? SIZE_MAX : count * size; }

/* A growing array: realloc'd from capacity to twice that (or to `initial` when empty)
 * once `adding` more entries do not fit. */
static size_t doubling(const jr_memory *memory, uint32_t count, uint32_t adding, uint32_t capacity, uint32_t initial,
                       size_t item)
{
    if ((uint64_t)count + adding <= capacity) return 0;
    if (capacity == 0) return jr_memory_block_cost(memory, times(initial, item));
    return times(capacity, item); /* the header is already counted */
}

/* A hash table rebuilt at twice the size (or `initial`) next to the old one. */
static size_t rehash(const jr_memory *memory, bool needed, uint32_t buckets, uint32_t initial, size_t item)
{
    if (!needed) return 0;
    return jr_memory_block_cost(memory, times(buckets ? (size_t)buckets * 2 : initial, item));
}

/* What any unit may make grow: interned strings, timers, paths, kept errors. */
static size_t unit_growth(const jr_vm *vm)
{
    const jr_memory *memory = &vm->memory;
    const jr_strings *strings = &vm->strings;
    size_t growth = 0;
    growth = add(growth, doubling(memory, strings->count, MARGIN, strings->capacity, 1024, sizeof(char *)));
    growth = add(growth, doubling(memory, strings->count, MARGIN, strings->capacity, 1024, sizeof(uint32_t)));
    growth = add(growth, rehash(memory, ((uint64_t)strings->count + MARGIN) * 2 >= strings->bucket_count,
                                strings->bucket_count, 1024, sizeof(uint32_t)));
    growth = add(growth, doubling(memory, vm->timers.count, MARGIN, vm->timers.capacity, 1024, sizeof(jr_timer)));
    if (vm->config.attribution)
        growth = add(growth, doubling(memory, vm->path_count, MARGIN, vm->path_capacity, 1024, sizeof(path_entry)));
    /* kept errors grow from 16 by doubling, up to JR_MAX_RECORDED_ERRORS (vm.c) */
    uint32_t wanted = vm->error_count + MARGIN, capacity = vm->error_capacity;
    if (wanted > JR_MAX_RECORDED_ERRORS) wanted = JR_MAX_RECORDED_ERRORS;
    while (capacity < wanted) {
        capacity = capacity ? capacity * 2 : 16;
        if (capacity > JR_MAX_RECORDED_ERRORS) capacity = JR_MAX_RECORDED_ERRORS;
    }
    if (capacity > vm->error_capacity) {
        size_t bytes = sizeof(recorded_error) * (capacity - vm->error_capacity);
        growth = add(growth, vm->error_capacity ? bytes : jr_memory_block_cost(memory, bytes));
    }
    return growth;
}

bool jr_limit_allows_timer(const jr_vm *vm)
{
    if (!vm->memory.limit) return true;
    return jr_memory_allows(&vm->memory, unit_growth(vm));
}

bool jr_limit_allows_event(const jr_vm *vm, const jr_event *event)
{
    if (!vm->memory.limit) return true;
    const jr_memory *memory = &vm->memory;
    size_t growth = unit_growth(vm);
    if (jr_vm_lookup_contact(vm, event->contact_id ? event->contact_id : "", event->contact_id_length, NULL) == JR_NONE) {
        growth = add(growth, doubling(memory, vm->contact_count, 1, vm->contact_capacity, 1024, vm->record_size));
        growth = add(growth, rehash(memory, ((uint64_t)vm->contact_count + 1) * 2 > vm->contact_bucket_count,
                                    vm->contact_bucket_count, 1024, sizeof(uint32_t)));
        growth = add(growth, jr_memory_block_cost(memory, (size_t)event->contact_id_length + 1));
    }
    if (event->message_id_length)
        growth = add(growth, rehash(memory, ((uint64_t)vm->seen_count + 1) * 2 > vm->seen_capacity, vm->seen_capacity,
                                    4096, sizeof(uint64_t)));
    return jr_memory_allows(memory, growth);
}
