/* payload_json.h: reading the payloads of actions, the flat JSON objects the VM writes
 * ({"subject":"Hi","total":42,"vip":true}: every value a string, a number, true, false
 * or null), to compare their fields with what a test expects. */
#ifndef JOURNEY_PAYLOAD_JSON_H
#define JOURNEY_PAYLOAD_JSON_H
#include <stddef.h>

#include "journey.h"

typedef enum payload_match {
    PAYLOAD_EQUAL,
    PAYLOAD_DIFFERENT, /* the key is there with another value */
    PAYLOAD_ABSENT,    /* no such key, or the payload is not a JSON object */
} payload_match;

/* Compares the payload's value under key with expected (a time or a duration is
 * compared with its text as the VM writes it). found receives the JSON text of the
 * value that is there ("" when absent). */
payload_match payload_json_compare(const char *json, const char *key, const jr_field_value *expected, char *found,
                                   size_t size);

#endif
