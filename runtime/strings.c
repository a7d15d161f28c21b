/* strings.c: the VM's strings: interned ones that live as long as the VM, and scratch
 * ones for values being computed, dropped all at once after each event or timer. */
#include <stdlib.h>
#include <string.h>

#include "vm.h"

static void *allocate(jr_strings *strings, void *pointer, size_t size)
{
    void *memory = strings->allocator.realloc(strings->allocator.user, pointer, size);
    if (!memory && size) strings->out_of_memory = true;
    return memory;
}

void jr_strings_init(jr_strings *strings, jr_allocator allocator)
{
    memset(strings, 0, sizeof *strings);
    strings->allocator = allocator;
    strings->count = 1; /* handle 0 is the missing string */
}

void jr_strings_free(jr_strings *strings)
{
    for (uint32_t i = 1; i < strings->count; i++) allocate(strings, strings->bytes[i], 0);
    allocate(strings, strings->bytes, 0);
    allocate(strings, strings->lengths, 0);
    allocate(strings, strings->buckets, 0);
    allocate(strings, strings->scratch, 0);
    allocate(strings, strings->scratch_offsets, 0);
    allocate(strings, strings->scratch_lengths, 0);
    memset(strings, 0, sizeof *strings);
}

static bool rehash(jr_strings *strings)
{
    uint32_t count = strings->bucket_count ? strings->bucket_count * 2 : 1024;
    uint32_t *buckets = allocate(strings, NULL, sizeof *buckets * count);
    if (!buckets) return false;
    memset(buckets, 0, sizeof *buckets * count);
    for (uint32_t handle = 1; handle < strings->count; handle++) {
        uint32_t slot = jr_hash_bytes(strings->bytes[handle], strings->lengths[handle]) & (count - 1);
        while (buckets[slot]) slot = (slot + 1) & (count - 1);
        buckets[slot] = handle;
    }
    allocate(strings, strings->buckets, 0);
    strings->buckets = buckets;
    strings->bucket_count = count;
    return true;
}

uint32_t jr_strings_intern(jr_strings *strings, const char *bytes, uint32_t length)
{
    if (strings->count * 2 >= strings->bucket_count && !rehash(strings)) return JR_MISSING_STRING;
    uint32_t mask = strings->bucket_count - 1;
    uint32_t slot = jr_hash_bytes(bytes, length) & mask;
    for (; strings->buckets[slot]; slot = (slot + 1) & mask) {
        uint32_t handle = strings->buckets[slot];
        if (strings->lengths[handle] == length && memcmp(strings->bytes[handle], bytes, length) == 0) return handle;
    }
    if (strings->count >= JR_SCRATCH_BIT - 1) {
        strings->out_of_memory = true;
        return JR_MISSING_STRING;
    }
    if (strings->count >= strings->capacity) {
        uint32_t capacity = strings->capacity ? strings->capacity * 2 : 1024;
        char **grown_bytes = allocate(strings, strings->bytes, sizeof *grown_bytes * capacity);
        if (!grown_bytes) return JR_MISSING_STRING;
        strings->bytes = grown_bytes;
        uint32_t *grown_lengths = allocate(strings, strings->lengths, sizeof *grown_lengths * capacity);
        if (!grown_lengths) return JR_MISSING_STRING;
        strings->lengths = grown_lengths;
        strings->capacity = capacity;
    }
    char *copy = allocate(strings, NULL, (size_t)length + 1);
    if (!copy) return JR_MISSING_STRING;
    if (length) memcpy(copy, bytes, length);
    copy[length] = '\0';
    uint32_t handle = strings->count++;
    strings->bytes[handle] = copy;
    strings->lengths[handle] = length;
    strings->buckets[slot] = handle;
    return handle;
}

char *jr_strings_scratch_reserve(jr_strings *strings, uint32_t length, uint32_t *handle)
{
    *handle = JR_MISSING_STRING;
    if (strings->scratch_count == strings->scratch_entries) {
        uint32_t entries = strings->scratch_entries ? strings->scratch_entries * 2 : 256;
        size_t *offsets = allocate(strings, strings->scratch_offsets, sizeof *offsets * entries);
        if (!offsets) return NULL;
        strings->scratch_offsets = offsets;
        uint32_t *lengths = allocate(strings, strings->scratch_lengths, sizeof *lengths * entries);
        if (!lengths) return NULL;
        strings->scratch_lengths = lengths;
        strings->scratch_entries = entries;
    }
    if (strings->scratch_used + length + 1 > strings->scratch_capacity) {
        size_t capacity = strings->scratch_capacity ? strings->scratch_capacity : 4096;
        while (capacity < strings->scratch_used + length + 1) capacity *= 2;
        char *grown = allocate(strings, strings->scratch, capacity);
        if (!grown) return NULL;
        strings->scratch = grown;
        strings->scratch_capacity = capacity;
    }
    uint32_t index = strings->scratch_count++;
    strings->scratch_offsets[index] = strings->scratch_used;
    strings->scratch_lengths[index] = length;
    char *at = strings->scratch + strings->scratch_used;
    at[length] = '\0';
    strings->scratch_used += length + 1;
    *handle = JR_SCRATCH_BIT | index;
    return at;
}

uint32_t jr_strings_scratch(jr_strings *strings, const char *bytes, uint32_t length)
{
    uint32_t handle;
    char *at = jr_strings_scratch_reserve(strings, length, &handle);
    if (at && length) memcpy(at, bytes, length);
    return handle;
}

const char *jr_strings_get(const jr_strings *strings, uint32_t handle, uint32_t *length)
{
    if (handle & JR_SCRATCH_BIT) {
        uint32_t index = handle & ~JR_SCRATCH_BIT;
        if (index >= strings->scratch_count) {
            *length = 0;
            return "";
        }
        *length = strings->scratch_lengths[index];
        return strings->scratch + strings->scratch_offsets[index];
    }
    if (handle == JR_MISSING_STRING || handle >= strings->count) {
        *length = 0;
        return "";
    }
    *length = strings->lengths[handle];
    return strings->bytes[handle];
}

uint32_t jr_strings_keep(jr_strings *strings, uint32_t handle)
{
    if (!(handle & JR_SCRATCH_BIT)) return handle;
    uint32_t length;
    const char *bytes = jr_strings_get(strings, handle, &length);
    return jr_strings_intern(strings, bytes, length);
}

void jr_strings_reset_scratch(jr_strings *strings)
{
    strings->scratch_used = 0;
    strings->scratch_count = 0;
}
