/* sim_dedup.c: a set of messageId hashes, open addressing, at most half full
 * (sim_dedup.h). */
#include "sim_dedup.h"

#include <stdlib.h>

#include "journey.h"

struct sim_dedup {
    uint64_t *slots; /* hashes; 0 is empty (jr_message_id_hash is never 0) */
    uint64_t capacity, count;
};

sim_dedup *sim_dedup_new(void) { return calloc(1, sizeof(sim_dedup)); }

void sim_dedup_free(sim_dedup *seen)
{
    if (!seen) return;
    free(seen->slots);
    free(seen);
}

static void place(uint64_t *slots, uint64_t capacity, uint64_t hash)
{
    uint64_t at = hash & (capacity - 1);
    while (slots[at]) at = (at + 1) & (capacity - 1);
    slots[at] = hash;
}

static bool grow(sim_dedup *seen)
{
    uint64_t capacity = seen->capacity ? seen->capacity * 2 : 4096;
    uint64_t *slots = calloc(capacity, sizeof *slots);
    if (!slots) return false;
    for (uint64_t i = 0; i < seen->capacity; i++)
        if (seen->slots[i]) place(slots, capacity, seen->slots[i]);
    free(seen->slots);
    seen->slots = slots;
    seen->capacity = capacity;
    return true;
}

bool sim_dedup_first_sight(sim_dedup *seen, const char *id, uint32_t length, bool *out_of_memory)
{
    if ((seen->count + 1) * 2 > seen->capacity && !grow(seen)) {
        *out_of_memory = true;
        return true;
    }
    uint64_t hash = jr_message_id_hash(id, length);
    uint64_t at = hash & (seen->capacity - 1);
    for (; seen->slots[at]; at = (at + 1) & (seen->capacity - 1))
        if (seen->slots[at] == hash) return false;
    seen->slots[at] = hash;
    seen->count++;
    return true;
}
