/* memory.h: the bytes a VM holds, for jr_config.memory_limit. Internal.
 *
 * Every block a VM allocates goes through the allocator jr_memory_allocator returns.
 * Without a limit that is the host's allocator itself, and nothing is counted. With a
 * limit it is a counting wrapper: each block carries a small header holding its size,
 * so `held` is exact (the headers and the jr_vm record included). The limit is applied
 * between units of work (limit.c), never by refusing an allocation: a refused
 * allocation would leave an event half applied. */
#ifndef JR_MEMORY_INTERNAL_H
#define JR_MEMORY_INTERNAL_H
#include <stdbool.h>
#include <stddef.h>

#include "journey.h"

typedef struct jr_memory {
    jr_allocator host; /* the allocator the host configured, or the C library's */
    size_t limit;      /* jr_config.memory_limit; 0: none */
    size_t held;       /* with a limit: bytes held now */
} jr_memory;

/* Starts counting with `already` bytes held (the jr_vm record, which the host's
 * allocator made before the jr_memory existed). */
void jr_memory_init(jr_memory *memory, jr_allocator host, size_t limit, size_t already);
/* The allocator a VM uses for everything it holds; valid while *memory is. */
jr_allocator jr_memory_allocator(jr_memory *memory);
/* The bytes a block of `size` takes, its header included: what `held` grows by. */
size_t jr_memory_block_cost(const jr_memory *memory, size_t size);
/* Whether holding `more` bytes beyond what is held stays within the limit. */
bool jr_memory_allows(const jr_memory *memory, size_t more);

#endif
