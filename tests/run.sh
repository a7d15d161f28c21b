#!/usr/bin/env bash
# tests/run.sh BUILD UNIT_TEST...: runs every suite against the binaries in BUILD and
# ends with one line "N passed, N failed" summing them all. Exit 1 if anything failed.
set -u
build=${1:?usage: run.sh BUILD UNIT_TEST...}
shift
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root" || exit 2
passed=0
failed=0

# Adds the counts of a suite's closing line "...: N passed, N failed".
count() {
    local line
    line=$(grep -E '[0-9]+ passed, [0-9]+ failed' <<<"$1" | tail -n 1)
    if [ -z "$line" ]; then
        failed=$((failed + 1))
        return
    fi
    passed=$((passed + $(grep -oE '[0-9]+ passed' <<<"$line" | grep -oE '[0-9]+')))
    failed=$((failed + $(grep -oE '[0-9]+ failed' <<<"$line" | grep -oE '[0-9]+')))
}

run_suite() {
    local name=$1
    shift
    local output
    output=$("$@" 2>&1)
    local status=$?
    printf '%s\n' "$output"
    count "$output"
    if [ $status -ne 0 ] && ! grep -qE ' [1-9][0-9]* failed' <<<"$output"; then
        echo "$name: exited with status $status"
        failed=$((failed + 1))
    fi
}

# cmocka: count its [ PASSED ] / [ FAILED ] lines.
for test in "$@"; do
    output=$("$test" 2>&1)
    status=$?
    printf '%s\n' "$output"
    p=$(sed -nE 's/^\[  PASSED  \] ([0-9]+) test.*/\1/p' <<<"$output" | tail -n 1)
    f=$(sed -nE 's/^\[  FAILED  \] ([0-9]+) test.*/\1/p' <<<"$output" | tail -n 1)
    passed=$((passed + ${p:-0}))
    failed=$((failed + ${f:-0}))
    if [ $status -ne 0 ] && [ "${f:-0}" -eq 0 ]; then
        echo "$test: exited with status $status"
        failed=$((failed + 1))
    fi
done

run_suite compile tests/compile/run.sh "$build/journeyc"
run_suite examples tests/examples/run.sh "$build/journeyc"
run_suite sim tests/sim/run.sh "$build/journey"
[ -x tests/spec/check-grammar.sh ] && run_suite grammar tests/spec/check-grammar.sh
run_suite bytecode-spec tests/bytecode/check-opcodes.sh
# Suites that exist once their issue lands; each ends with "N passed, N failed".
for suite in format editors graph journey-tests report report-json embed pack stdlib sink run http; do
    [ -x "tests/$suite/run.sh" ] && run_suite "$suite" "tests/$suite/run.sh" "$build"
done

echo
echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
