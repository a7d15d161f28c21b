/* action_record.h: an action written as one line of JSON, the record journey sim prints
 * and journey run delivers: {"type":"send","key":...,"at":...,"contact":...,...}. */
#ifndef JOURNEY_ACTION_RECORD_H
#define JOURNEY_ACTION_RECORD_H
#include <stdio.h>

#include "journey.h"

/* Writes the record and a line break. */
void action_record_write(FILE *out, const jr_action *action);

#endif
