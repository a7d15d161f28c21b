/* sim_record.h: what a shard of journey sim --threads hands the writer: its actions
 * (already written as JSON lines), the run-time errors it kept and the terms of the
 * floating-point figures, each with its key, its place in the order one VM would have
 * made it (spec/language.md 6.16), in blocks. Every shard's records come in key order,
 * and no two shards' records have the same key, so merging the shards by key gives
 * one VM's order. */
#ifndef JOURNEY_SIM_RECORD_H
#define JOURNEY_SIM_RECORD_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "journey.h"

/* Made while applying event i (its clock t): (t, SIM_PHASE_EVENT, i). Made by a timer
 * due at d of the contact first seen at event c: (d, SIM_PHASE_TIMER, c). One VM fires a
 * timer before the first event whose clock is d or later, so its records come before
 * that event's; at the same due time, contacts in first-seen order. */
enum { SIM_PHASE_TIMER = 0, SIM_PHASE_EVENT = 1 };

typedef struct sim_key {
    int64_t time;
    uint32_t phase;
    uint64_t order;
} sim_key;

static inline bool sim_key_before(const sim_key *a, const sim_key *b)
{
    if (a->time != b->time) return a->time < b->time;
    if (a->phase != b->phase) return a->phase < b->phase;
    return a->order < b->order;
}

typedef enum sim_record_kind { SIM_RECORD_ACTION, SIM_RECORD_ERROR, SIM_RECORD_FIGURE } sim_record_kind;

typedef struct sim_record {
    sim_key key;
    sim_record_kind kind;
    union {
        struct {
            size_t offset;      /* its JSON line in the block's text */
            size_t length;
            jr_action_kind kind;
            jr_send_outcome outcome;
            int64_t at;
            const char *channel; /* the program's string */
        } action;
        uint32_t error;         /* the shard's VM's index of a kept error (jr_vm_error) */
        struct {
            jr_figure figure;
            uint32_t index;
            double term;
        } figure;
    } as;
} sim_record;

/* A block is handed over when it holds this many records or this many bytes of text. */
enum { SIM_BLOCK_RECORDS = 2048, SIM_BLOCK_TEXT = 256 * 1024 };

typedef struct sim_block {
    sim_record *records; /* grown as needed, kept when the block is used again */
    uint32_t count, capacity;
    char *text; /* the actions' lines */
    size_t text_length;
    /* Every record the shard makes after this block comes at or after this key. */
    sim_key watermark;
    bool last; /* the shard's last block */
} sim_block;

#endif
