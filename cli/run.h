/* run.h: `journey run` (a program live: events in, timers on the wall clock, state in
 * SQLite, actions out) and `journey inspect` (a contact of a running program), as
 * spec/run.md describes them. */
#ifndef JOURNEY_RUN_H
#define JOURNEY_RUN_H

/* argv[0] is the command's name ("run", "inspect"); each returns an exit status. */
int journey_run_command(int argc, char **argv);
int journey_inspect_command(int argc, char **argv);

#endif
