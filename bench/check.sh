#!/usr/bin/env bash
# bench/check.sh BUILD_DIR: checks the benchmark's machinery, fast (a few seconds), so
# that `make bench` measures what it claims to. Not a benchmark: nothing is timed.
#
#   - the workload generator gives the same bytes every run, and the bytes recorded
#     below for the tiny preset (other machines, other compilers), exactly the events
#     asked for, in time order, every line an event the reference program declares;
#   - the reference journeys check clean with -Werror and are formatted; the large
#     generated program checks clean;
#   - journey sim --threads 2 takes the same actions as one thread, with the same summary;
#   - measure reports the command's status; vm_probe fires every timer it set;
#   - the Lua peer takes exactly journey's actions on the tiny workload (skipped, and
#     said so, when lua5.4 or lua-cjson is missing: scripts/install-bench-deps.sh);
#   - bench/run.sh refuses a bad BENCH_PRESET or BENCH_RUNS with exit status 64.
#
# Needs BUILD_DIR/journey, journeyc and bench/{generate,measure,vm_probe} (make bench
# builds them). Ends with "bench: N passed, N failed[, N skipped]"; exits 1 on a failure.
set -u
build=${1:?usage: bench/check.sh BUILD_DIR}
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root" || exit 2
case $build in /*) ;; *) build=$root/$build ;; esac
passed=0 failed=0 skipped=0
scratch=$(mktemp -d "${TMPDIR:-/tmp}/journey-bench-check.XXXXXX") || exit 2
trap 'rm -rf "$scratch"' EXIT

# The SHA-256 of `generate --preset tiny`. When the generator changes on purpose, run
# it, check the workload by eye and with this script, and record the new digest here.
tiny_digest=ff73f151c53021a539c9209877a4613a9d54e61dee8e28a9a16538fe60a41529

pass() { passed=$((passed + 1)); }
fail() {
    failed=$((failed + 1))
    printf 'FAIL %s\n' "$1"
    [ -n "${2:-}" ] && printf '%s\n' "$2" | sed 's/^/    /'
}
check() { # check NAME COMMAND...: passes when COMMAND exits 0
    local name=$1 output
    shift
    if output=$("$@" 2>&1); then pass; else fail "$name" "$output"; fi
}

generate=$build/bench/generate
"$generate" --preset tiny -o "$scratch/tiny.jsonl" || fail "generate --preset tiny"
"$generate" --preset tiny >"$scratch/tiny-again.jsonl" || fail "generate --preset tiny to stdout"
check "the generator gives the same bytes twice" cmp "$scratch/tiny.jsonl" "$scratch/tiny-again.jsonl"
digest=$(sha256sum <"$scratch/tiny.jsonl" | cut -d ' ' -f 1)
if [ "$digest" = "$tiny_digest" ]; then pass; else
    fail "the tiny workload is not the recorded one" "sha256 $digest, recorded $tiny_digest (see tiny_digest above)"
fi
"$generate" --contacts 300 --events 7777 --days 5 --seed 9 -o "$scratch/odd.jsonl" || fail "generate 300/7777/5"
lines=$(wc -l <"$scratch/odd.jsonl")
if [ "$lines" -eq 7777 ]; then pass; else fail "asked for 7777 events, got $lines lines"; fi
# shellcheck disable=SC2016 # an awk program
check "events are in time order, within the 5 days asked for" awk -F'"timestamp":"' '
    { t = substr($2, 1, 24); if (t < last) { print "line " NR " goes back in time"; exit 1 } last = t }
    NR == 1 && t < "2026-01-05T" { print "before the start"; exit 1 }
    END { if (last >= "2026-01-10T") { print "after the end: " last; exit 1 } }' "$scratch/odd.jsonl"
contacts=$(grep -o '"userId":"[^"]*"' "$scratch/odd.jsonl" | sort -u | wc -l)
if [ "$contacts" -eq 300 ]; then pass; else fail "asked for 300 contacts, got $contacts"; fi
check "the generator refuses too few events per contact" bash -c "! '$generate' --contacts 10 --events 5 2>/dev/null"

check "bench/journeys check clean" "$build/journeyc" check -Werror bench/journeys/onboarding.journey \
    bench/journeys/abandoned_cart.journey bench/journeys/scoring.journey bench/journeys/all.journey \
    bench/journeys/timers.journey
check "bench/journeys are formatted" "$build/journeyc" fmt --check bench/journeys
bench/large_program.sh 20 50 >"$scratch/large.journey" || fail "large_program.sh"
check "the large generated program checks clean" "$build/journeyc" check -Werror "$scratch/large.journey"
"$build/journeyc" build bench/journeys/all.journey -o "$scratch/all.jbc" || fail "build all.journey"
"$build/journey" sim "$scratch/all.jbc" "$scratch/tiny.jsonl" -o "$scratch/journey.actions.jsonl" \
    2>"$scratch/journey.summary" || fail "journey sim on the tiny workload" "$(cat "$scratch/journey.summary")"
if grep -q '^input: ' "$scratch/journey.summary"; then
    fail "the workload has events the program does not declare, or bad lines" "$(grep '^input: ' "$scratch/journey.summary")"
else pass; fi

# The threads figure compares work that is the same: --threads 2 takes one thread's
# actions, in the same order, with the same summary (spec/language.md 6.16).
"$build/journey" sim "$scratch/all.jbc" "$scratch/tiny.jsonl" --threads 2 -o "$scratch/threads.actions.jsonl" \
    2>"$scratch/threads.summary" || fail "journey sim --threads 2 on the tiny workload" "$(cat "$scratch/threads.summary")"
check "--threads 2 writes one thread's actions" cmp "$scratch/journey.actions.jsonl" "$scratch/threads.actions.jsonl"
check "--threads 2 writes one thread's summary" cmp "$scratch/journey.summary" "$scratch/threads.summary"

"$build/bench/measure" -o "$scratch/measured" true || fail "measure true"
check "measure writes its figures" grep -Eq '^wall_seconds=[0-9.]+ user_seconds=[0-9.]+ system_seconds=[0-9.]+ max_rss_kb=[0-9]+ status=0$' "$scratch/measured"
"$build/bench/measure" -o "$scratch/measured" sh -c 'exit 3'
status=$?
if [ $status -eq 3 ] && grep -q 'status=3$' "$scratch/measured"; then pass; else fail "measure passes on the exit status (got $status)"; fi
"$build/journeyc" build bench/journeys/timers.journey -o "$scratch/timers.jbc" || fail "build timers.journey"
check "vm_probe fires the timer of each waiting contact" bash -c \
    "'$build/bench/vm_probe' timers '$scratch/timers.jbc' 1000 | grep -q ' pending=1000 fired=1000 '"
check "vm_probe counts the VM's bytes" bash -c \
    "'$build/bench/vm_probe' memory '$scratch/all.jbc' '$scratch/tiny.jsonl' | grep -q ' contacts=1000 bytes_held=[1-9]'"

if command -v lua5.4 >/dev/null && lua5.4 -e 'require "cjson"' 2>/dev/null; then
    lua5.4 bench/lua/run.lua "$scratch/tiny.jsonl" -o "$scratch/lua.actions.jsonl" 2>"$scratch/lua.summary" ||
        fail "the Lua peer on the tiny workload" "$(cat "$scratch/lua.summary")"
    check "the Lua peer's summary is journey's" diff -u "$scratch/journey.summary" \
        <(grep -v '^lua heap: ' "$scratch/lua.summary")
    check "the Lua peer takes journey's actions" lua5.4 bench/lua/compare.lua "$scratch/journey.actions.jsonl" \
        "$scratch/lua.actions.jsonl"
else
    echo "skipped: the Lua peer (lua5.4 and lua-cjson are not installed: scripts/install-bench-deps.sh)"
    skipped=$((skipped + 2))
fi

BENCH_PRESET=huge bench/run.sh "$build" >/dev/null 2>&1
status=$?
if [ $status -eq 64 ]; then pass; else fail "BENCH_PRESET=huge: exit status $status, expected 64"; fi
BENCH_RUNS=0 bench/run.sh "$build" >/dev/null 2>&1
status=$?
if [ $status -eq 64 ]; then pass; else fail "BENCH_RUNS=0: exit status $status, expected 64"; fi

if [ $skipped -gt 0 ]; then
    echo "bench: $passed passed, $failed failed, $skipped skipped"
else
    echo "bench: $passed passed, $failed failed"
fi
[ $failed -eq 0 ]
