/* event.h: how the readers of event logs (event_reader.c) read a line. The types and
 * functions are declared once, in the public header journey.h; this file holds the
 * rules they follow, for whoever works on the readers.
 *
 *
 * A reader turns one line of a log (JSON Lines in the Segment Spec shape, or CSV with a
 * header row; either may be gzip-compressed) into a jr_event, keeping only what the
 * program declared: the event (by its external name), its declared properties and,
 * for identify calls, the traits that match declared attributes. Everything else is
 * skipped without being copied. Strings in a jr_event point into the reader's buffer
 * and stay valid until the next call on that reader. A packed .jev log (journey pack)
 * is recognised by its magic and handed to jev_reader.c (spec/jev.md).
 *
 * Library code: nothing here prints or exits; failures come back as status codes
 * with a filled jr_read_error.
 *
 * How a line is read (runtime/event_reader.c; spec/events.md says the same for users):
 *   - JSON Lines: one object per line. "type" is track, identify or page; with no
 *     "type", a line with an "event" is a track call. The contact is "userId", else
 *     "anonymousId" (then .anonymous is set); null or "" counts as missing; an integer
 *     id (12345) is read as its decimal text, any other number is refused. The time
 *     is "timestamp", else "originalTimestamp", else "sentAt", else "receivedAt" (the
 *     first present and not null; if it is no ISO-8601 timestamp the line is bad: no
 *     later one stands in). "messageId" is a string or an integer, else empty.
 *   - "event" names a declared event by its external name, exactly (case and spaces
 *     count). A page call is read as the event named "Page Viewed"; the page's
 *     top-level "name" is its property "name" when "properties" gives none.
 *   - "properties" (track and page) and "traits" (identify only; never context.traits)
 *     keep the members the schema declares, by exact name, converted to the declared
 *     type: number from a JSON number or from a string holding one ("12.50": Segment
 *     data often carries numbers as strings), string from a string, bool from
 *     true/false, time from an ISO-8601 string, duration from a number (or numeric
 *     string) of seconds. A null property is the same as an absent one; a null trait
 *     is kept, with the type JR_TYPE_NULL, since it unsets its attribute. Anything
 *     else is left out and counted in .type_mismatches. A member given twice: the
 *     last one counts.
 *   - A line is bad (JR_READ_BAD_LINE, error->line and a message, and the next call
 *     reads on) when it is not valid JSON (checked in full, with UTF-8: invalid UTF-8
 *     anywhere, or an integer beyond 64 bits, makes it bad), is not an object, repeats
 *     a top-level member the reader looks at, lacks a usable time or contact, is a
 *     track call without "event", has an unknown "type", or is longer than 4 MiB.
 *     Blank lines are skipped; CR LF endings and a UTF-8 byte order mark are fine.
 *   - CSV: RFC 4180 with a header row, LF or CR LF. Columns type (empty: track),
 *     event, userId, anonymousId, timestamp, messageId; "traits.x" is the trait x;
 *     "properties.x" or any other name x is the property x. Empty cells are missing;
 *     cells convert as above, and bool also takes true/false in any case and 1/0.
 *     A record that does not parse (field count, a stray quote) is a bad line,
 *     numbered by the line it starts on; a quoted field still open at the end of the
 *     input is reported and reading resumes on the line after the record's first.
 *   - Strings are length-counted, not NUL-terminated, and may hold NUL bytes (\u0000).
 *     JR_READ_IO_ERROR is returned once, after every line read before the failure;
 *     the calls after it return JR_READ_END. */
#ifndef JR_EVENT_H
#define JR_EVENT_H
#include "journey.h"

/* For a JSON Lines reader of memory (post_json.c keeps one per VM): forgets the bytes it
 * read and reads these instead, keeping its JSON parser, its buffer and its index of
 * the schema, which are what opening a reader costs. Lines are numbered from 1 again. */
void jr_reader_reuse_memory(jr_event_reader *reader, const void *bytes, size_t length);
#endif
