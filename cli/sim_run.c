/* sim_run.c: what the one-VM and the threaded simulations share (sim_run.h). */
#include "sim_run.h"

#include <stdlib.h>

int64_t sim_horizon(const sim_setup *setup, int64_t last_event, int64_t clock)
{
    if (!setup->has_until) return last_event;
    if (!setup->relative_until) return setup->until;
    return (last_event == INT64_MIN ? clock : last_event) + setup->until;
}

void sim_outcome_free(sim_outcome *outcome)
{
    sim_totals_free(outcome->totals);
    for (uint32_t i = 0; i < outcome->vm_count; i++) jr_vm_free(outcome->vms[i]);
    free(outcome->vms);
    outcome->totals = NULL;
    outcome->vms = NULL;
    outcome->vm_count = 0;
}
