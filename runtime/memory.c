/* memory.c: the counting allocator behind jr_config.memory_limit (memory.h). */
#include "memory.h"

#include <stdalign.h>
#include <stdint.h>
#include <string.h>

/* The size header in front of each counted block: as wide as the strictest alignment,
 * so the block handed out stays as aligned as the host's allocator made it. */
#define HEADER (alignof(max_align_t) > sizeof(size_t) ? alignof(max_align_t) : sizeof(size_t))

static void *counted_realloc(void *user, void *pointer, size_t size)
{
    jr_memory *memory = user;
    unsigned char *block = pointer ? (unsigned char *)pointer - HEADER : NULL;
    size_t old = 0;
    if (block) memcpy(&old, block, sizeof old);
    if (size == 0) {
        if (block) {
            memory->host.realloc(memory->host.user, block, 0);
            memory->held -= old + HEADER;
        }
        return NULL;
    }
    if (size > SIZE_MAX - HEADER) return NULL;
    unsigned char *grown = memory->host.realloc(memory->host.user, block, size + HEADER);
    if (!grown) return NULL; /* the old block, if any, is untouched and still counted */
    memcpy(grown, &size, sizeof size);
    memory->held = memory->held - (block ? old + HEADER : 0) + size + HEADER;
    return grown + HEADER;
}

void jr_memory_init(jr_memory *memory, jr_allocator host, size_t limit, size_t already)
{
    memory->host = host;
    memory->limit = limit;
    memory->held = limit ? already : 0;
}

jr_allocator jr_memory_allocator(jr_memory *memory)
{
    return memory->limit ? (jr_allocator){ counted_realloc, memory } : memory->host;
}

size_t jr_memory_block_cost(const jr_memory *memory, size_t size)
{
    if (!memory->limit) return 0;
    return size > SIZE_MAX - HEADER ? SIZE_MAX : size + HEADER;
}

bool jr_memory_allows(const jr_memory *memory, size_t more)
{
    return !memory->limit || (memory->held <= memory->limit && more <= memory->limit - memory->held);
}
