/* usage.h: how every journey command reports a usage error: "journey pack: MESSAGE",
 * then where to read more, on stderr; the exit status is 64 (EX_USAGE). */
#ifndef JOURNEY_USAGE_H
#define JOURNEY_USAGE_H

#define EXIT_USAGE_ERROR 64

/* command: "journey", "journey pack", ...; returns EXIT_USAGE_ERROR. */
int usage_error(const char *command, const char *format, ...) __attribute__((format(printf, 2, 3)));

#endif
