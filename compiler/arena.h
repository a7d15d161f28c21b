/* arena.h: bump allocation for everything that lives as long as one compilation
 * (AST nodes, decoded strings, interned names). Freed all at once. */
#ifndef JC_ARENA_H
#define JC_ARENA_H
#include <stddef.h>
#include <stdint.h>

typedef struct jc_arena_block jc_arena_block;
typedef struct jc_arena {
    jc_arena_block *head;
    size_t used_in_head;
    size_t capacity_of_head;
} jc_arena;

void jc_arena_init(jc_arena *arena);
void jc_arena_free(jc_arena *arena);
/* Zeroed memory aligned for any object; NULL only when the system is out of memory. */
void *jc_arena_alloc(jc_arena *arena, size_t size);
/* A NUL-terminated copy of text[0..length). */
char *jc_arena_strndup(jc_arena *arena, const char *text, size_t length);

/* Interned names: equal names are the same pointer, so resolution compares pointers. */
typedef struct jc_name {
    uint32_t length;
    uint32_t hash;
    struct jc_name *next_in_bucket;
    char text[];
} jc_name;

typedef struct jc_interner {
    jc_arena *arena;
    jc_name **buckets;
    uint32_t bucket_count;
    uint32_t name_count;
} jc_interner;

void jc_interner_init(jc_interner *interner, jc_arena *arena);
void jc_interner_free(jc_interner *interner);
/* NULL only when out of memory. */
jc_name *jc_intern(jc_interner *interner, const char *text, size_t length);

#endif
