/* contact_view.h: one contact of a VM as a person reads it (journey inspect) and as
 * JSON (journey inspect --json, and the contacts table of journey run's state): where it
 * is in each journey, its attributes, scores and segments, as of the VM's clock. */
#ifndef JOURNEY_CONTACT_VIEW_H
#define JOURNEY_CONTACT_VIEW_H
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "journey.h"

/* One JSON object, no line break:
 * {"id":...,"clock":...,"journeys":{NAME:{"status":...,...}},"attributes":{...},
 *  "scores":{...},"segments":[...]} (spec/run.md section 5). False with error when the
 * VM refused a query. */
bool contact_view_json(jr_vm *vm, const jr_program *program, uint32_t contact, FILE *out, jr_error *error);
/* The same, in lines for a person. */
bool contact_view_text(jr_vm *vm, const jr_program *program, uint32_t contact, FILE *out, jr_error *error);

#endif
