/* journey_test.h: `journey test FILE|DIR...`, the scenario tests written in the journey
 * language as `test "name" { ... }` blocks (spec/testing.md). */
#ifndef JOURNEY_TEST_H
#define JOURNEY_TEST_H

/* argv[0] is the word "test"; the rest are its options and paths. Returns the exit
 * status: 0 every test passed, 1 a test failed or a file did not compile, 64 usage,
 * 70 internal failure. Prints the results on stdout, diagnostics on stderr. */
int journey_test_command(int argc, char **argv);

#endif
