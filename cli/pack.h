/* pack.h: `journey pack PROGRAM EVENTS... -o FILE.jev`, which packs event logs into
 * the binary form `journey sim` reads fastest (spec/jev.md). */
#ifndef JOURNEY_PACK_H
#define JOURNEY_PACK_H

/* argv[0] is the word "pack"; the rest are its options and files. Returns the exit
 * status: 0 packed, 1 failed (a log, a malformed line, the program, the output), 64
 * usage, 70 internal failure. Prints bad lines and a summary on stderr. */
int journey_pack_command(int argc, char **argv);

#endif
