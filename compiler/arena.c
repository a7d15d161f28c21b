/* arena.c: bump allocator and name interner for the compiler. */
#include "arena.h"

#include <stdlib.h>
#include <string.h>

struct jc_arena_block {
    jc_arena_block *previous;
    size_t capacity;
    max_align_t data[];
};

enum { ARENA_BLOCK_SIZE = 64 * 1024 };

void jc_arena_init(jc_arena *arena) { memset(arena, 0, sizeof *arena); }

void jc_arena_free(jc_arena *arena)
{
    jc_arena_block *block = arena->head;
    while (block) {
        jc_arena_block *previous = block->previous;
        free(block);
        block = previous;
    }
    memset(arena, 0, sizeof *arena);
}

void *jc_arena_alloc(jc_arena *arena, size_t size)
{
    const size_t align = sizeof(max_align_t);
    size = (size + align - 1) & ~(align - 1);
    if (size == 0) size = align;
    if (!arena->head || arena->capacity_of_head - arena->used_in_head < size) {
        size_t capacity = size > ARENA_BLOCK_SIZE ? size : ARENA_BLOCK_SIZE;
        jc_arena_block *block = malloc(sizeof *block + capacity);
        if (!block) return NULL;
        block->previous = arena->head;
        block->capacity = capacity;
        arena->head = block;
        arena->used_in_head = 0;
        arena->capacity_of_head = capacity;
    }
    char *memory = (char *)arena->head->data + arena->used_in_head;
    arena->used_in_head += size;
    memset(memory, 0, size);
    return memory;
}

char *jc_arena_strndup(jc_arena *arena, const char *text, size_t length)
{
    char *copy = jc_arena_alloc(arena, length + 1);
    if (!copy) return NULL;
    if (length) memcpy(copy, text, length);
    copy[length] = '\0';
    return copy;
}

static uint32_t hash_bytes(const char *text, size_t length)
{
    uint32_t hash = 2166136261u; /* FNV-1a */
    for (size_t i = 0; i < length; i++) {
        hash ^= (unsigned char)text[i];
        hash *= 16777619u;
    }
    return hash;
}

void jc_interner_init(jc_interner *interner, jc_arena *arena)
{
    memset(interner, 0, sizeof *interner);
    interner->arena = arena;
}

void jc_interner_free(jc_interner *interner)
{
    free(interner->buckets);
    interner->buckets = NULL;
    interner->bucket_count = interner->name_count = 0;
}

static int interner_grow(jc_interner *interner)
{
    uint32_t count = interner->bucket_count ? interner->bucket_count * 2 : 256;
    jc_name **buckets = calloc(count, sizeof *buckets);
    if (!buckets) return -1;
    for (uint32_t i = 0; i < interner->bucket_count; i++) {
        jc_name *name = interner->buckets[i];
        while (name) {
            jc_name *next = name->next_in_bucket;
            name->next_in_bucket = buckets[name->hash & (count - 1)];
            buckets[name->hash & (count - 1)] = name;
            name = next;
        }
    }
    free(interner->buckets);
    interner->buckets = buckets;
    interner->bucket_count = count;
    return 0;
}

jc_name *jc_intern(jc_interner *interner, const char *text, size_t length)
{
    if (length > UINT32_MAX) return NULL;
    uint32_t hash = hash_bytes(text, length);
    if (interner->bucket_count) {
        for (jc_name *name = interner->buckets[hash & (interner->bucket_count - 1)]; name;
             name = name->next_in_bucket)
            if (name->hash == hash && name->length == length && memcmp(name->text, text, length) == 0)
                return name;
    }
    if (interner->name_count + 1 > interner->bucket_count / 2 * 1 + interner->bucket_count / 4 &&
        interner_grow(interner) != 0)
        return NULL;
    jc_name *name = jc_arena_alloc(interner->arena, sizeof *name + length + 1);
    if (!name) return NULL;
    name->length = (uint32_t)length;
    name->hash = hash;
    memcpy(name->text, text, length);
    name->text[length] = '\0';
    uint32_t bucket = hash & (interner->bucket_count - 1);
    name->next_in_bucket = interner->buckets[bucket];
    interner->buckets[bucket] = name;
    interner->name_count++;
    return name;
}
