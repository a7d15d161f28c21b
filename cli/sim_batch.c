/* sim_batch.c: batches of copied events (sim_batch.h). The copies go into chunks that
 * never move, so the pointers of the events stay valid as the batch grows. */
#include "sim_batch.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

/* Chunks double from the first to the largest, so that the small batches of many
 * shards stay small. */
enum { FIRST_CHUNK = 4 * 1024, LARGEST_CHUNK = 64 * 1024 };

struct sim_batch_chunk {
    sim_batch_chunk *next;
    size_t used, size;
    _Alignas(max_align_t) unsigned char bytes[];
};

sim_batch *sim_batch_new(void) { return calloc(1, sizeof(sim_batch)); }

void sim_batch_free(sim_batch *batch)
{
    if (!batch) return;
    for (sim_batch_chunk *chunk = batch->chunks, *next; chunk; chunk = next) {
        next = chunk->next;
        free(chunk);
    }
    free(batch->postings);
    free(batch);
}

/* size bytes, 8-aligned, in the current chunk or a new one; NULL when out of memory. */
static void *batch_space(sim_batch *batch, size_t size)
{
    size = (size + 7) & ~(size_t)7;
    sim_batch_chunk *chunk = batch->chunks;
    if (!chunk || chunk->size - chunk->used < size) {
        size_t capacity = !chunk ? FIRST_CHUNK : chunk->size < LARGEST_CHUNK ? chunk->size * 2 : LARGEST_CHUNK;
        if (capacity < size) capacity = size;
        if (!(chunk = malloc(sizeof *chunk + capacity))) return NULL;
        chunk->next = batch->chunks;
        chunk->used = 0;
        chunk->size = capacity;
        batch->chunks = chunk;
    }
    void *space = chunk->bytes + chunk->used;
    chunk->used += size;
    return space;
}

static const char *copy_bytes(sim_batch *batch, const char *bytes, uint32_t length, bool *ok)
{
    if (!bytes) return NULL;
    char *copy = batch_space(batch, (size_t)length + 1);
    if (!copy) {
        *ok = false;
        return NULL;
    }
    if (length) memcpy(copy, bytes, length);
    copy[length] = '\0';
    return copy;
}

static const jr_field_value *copy_fields(sim_batch *batch, const jr_field_value *fields, uint32_t count, bool *ok)
{
    if (!count) return NULL;
    jr_field_value *copy = batch_space(batch, sizeof *copy * count);
    if (!copy) {
        *ok = false;
        return NULL;
    }
    memcpy(copy, fields, sizeof *copy * count);
    for (uint32_t i = 0; i < count; i++)
        if (copy[i].type == JR_TYPE_STRING)
            copy[i].as.string.bytes = copy_bytes(batch, fields[i].as.string.bytes, fields[i].as.string.length, ok);
    return copy;
}

bool sim_batch_add(sim_batch *batch, const jr_event *event, uint64_t index, int64_t clock, const char *path)
{
    if (batch->count == batch->capacity) {
        uint32_t capacity = batch->capacity ? batch->capacity * 2 : 256;
        sim_posting *grown = realloc(batch->postings, sizeof *grown * capacity);
        if (!grown) return false;
        batch->postings = grown;
        batch->capacity = capacity;
    }
    bool ok = true;
    sim_posting *posting = &batch->postings[batch->count];
    posting->event = *event;
    posting->event.contact_id = copy_bytes(batch, event->contact_id, event->contact_id_length, &ok);
    /* The reader has dropped repeated messageIds already: the shard's VM need not
     * remember them again. */
    posting->event.message_id = NULL;
    posting->event.message_id_length = 0;
    posting->event.properties = copy_fields(batch, event->properties, event->property_count, &ok);
    posting->event.traits = copy_fields(batch, event->traits, event->trait_count, &ok);
    posting->index = index;
    posting->clock = clock;
    posting->path = path;
    if (ok) batch->count++;
    return ok;
}
