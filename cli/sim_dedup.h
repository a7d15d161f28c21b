/* sim_dedup.h: the messageIds journey sim --threads has seen, so that its reader drops
 * a repeated messageId before the event reaches a shard, exactly as one VM would have
 * dropped it (by jr_message_id_hash: the repeat may belong to another contact, which
 * another shard runs). */
#ifndef JOURNEY_SIM_DEDUP_H
#define JOURNEY_SIM_DEDUP_H
#include <stdbool.h>
#include <stdint.h>

typedef struct sim_dedup sim_dedup;

sim_dedup *sim_dedup_new(void);
/* Remembers the id; false when it was seen before. *out_of_memory is set when the set
 * could not grow. */
bool sim_dedup_first_sight(sim_dedup *seen, const char *id, uint32_t length, bool *out_of_memory);
void sim_dedup_free(sim_dedup *seen);

#endif
