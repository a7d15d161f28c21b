/* timers.c: the timer queue: a binary min-heap ordered by (due time, contact, sequence),
 * so timers fire in due order; at the same instant, contacts in the order the VM first
 * saw them, and one contact's timers in the order they were made (spec/language.md
 * 6.2). The contact comes before the creation sequence so that the order of one
 * contact's timers against another's depends on nothing but the two contacts: a VM
 * that runs a share of the contacts (journey sim --threads) fires them in the order of
 * one VM running them all. O(log n) push and pop; millions pending cost 32 bytes each. */
#include <string.h>

#include "vm.h"

void jr_timers_init(jr_timers *timers, jr_allocator allocator)
{
    memset(timers, 0, sizeof *timers);
    timers->allocator = allocator;
}

void jr_timers_free(jr_timers *timers)
{
    timers->allocator.realloc(timers->allocator.user, timers->heap, 0);
    memset(timers, 0, sizeof *timers);
}

bool jr_timer_earlier(const jr_timer *a, const jr_timer *b)
{
    if (a->due != b->due) return a->due < b->due;
    if (a->contact != b->contact) return a->contact < b->contact;
    return a->sequence < b->sequence;
}

bool jr_timers_push(jr_timers *timers, int64_t due, uint32_t contact, uint32_t journey, uint32_t generation)
{
    if (timers->count == timers->capacity) {
        uint32_t capacity = timers->capacity ? timers->capacity * 2 : 1024;
        jr_timer *heap = timers->allocator.realloc(timers->allocator.user, timers->heap, sizeof *heap * capacity);
        if (!heap) return false;
        timers->heap = heap;
        timers->capacity = capacity;
    }
    jr_timer timer = { due, timers->next_sequence++, contact, journey, generation };
    uint32_t at = timers->count++;
    while (at > 0) {
        uint32_t parent = (at - 1) / 2;
        if (!jr_timer_earlier(&timer, &timers->heap[parent])) break;
        timers->heap[at] = timers->heap[parent];
        at = parent;
    }
    timers->heap[at] = timer;
    return true;
}

const jr_timer *jr_timers_peek(const jr_timers *timers) { return timers->count ? &timers->heap[0] : NULL; }

void jr_timers_pop(jr_timers *timers)
{
    if (!timers->count) return;
    jr_timer last = timers->heap[--timers->count];
    uint32_t at = 0, count = timers->count;
    for (;;) {
        uint32_t child = at * 2 + 1;
        if (child >= count) break;
        if (child + 1 < count && jr_timer_earlier(&timers->heap[child + 1], &timers->heap[child])) child++;
        if (!jr_timer_earlier(&timers->heap[child], &last)) break;
        timers->heap[at] = timers->heap[child];
        at = child;
    }
    if (count) timers->heap[at] = last;
}
