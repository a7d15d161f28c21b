#!/usr/bin/env bash
# tests/fuzz/replay.sh FUZZ_BUILD JOURNEYC: runs every libFuzzer target once over its
# stored inputs (-runs=0: no fuzzing), so that `make test` replays what fuzzing found:
# tests/fuzz/corpus/TARGET (seeds) and tests/fuzz/regressions/TARGET (every crash,
# leak or timeout a fuzzer found, kept once fixed: name the file after what it broke).
# A target without stored inputs is counted as passed only if it starts.
# Ends with one line "fuzz-replay: N passed, N failed"; exits 1 if a target failed.
set -u
fuzz_build=${1:?usage: replay.sh FUZZ_BUILD JOURNEYC}
journeyc=${2:?usage: replay.sh FUZZ_BUILD JOURNEYC}
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root" || exit 2
passed=0
failed=0
scratch=$(mktemp -d "${TMPDIR:-/tmp}/journey-fuzz-replay.XXXXXX") || exit 2
trap 'rm -rf "$scratch"' EXIT

# The .jev and snapshot fuzzers run inputs through the examples' programs.
mkdir -p "$scratch/programs"
for source in examples/*.journey; do
    case $source in *.test.journey) continue ;; esac
    "$journeyc" build -I stdlib "$source" -o "$scratch/programs/$(basename "$source" .journey).jbc" || exit 2
done

for target in compiler loader event_reader jev tzif snapshot segment_body; do
    binary=$fuzz_build/fuzz_$target
    if [ ! -x "$binary" ]; then
        failed=$((failed + 1))
        echo "FAIL $target: no $binary"
        continue
    fi
    inputs=()
    for directory in "tests/fuzz/corpus/$target" "tests/fuzz/regressions/$target"; do
        [ -d "$directory" ] && inputs+=("$directory")
    done
    mkdir -p "$scratch/$target"
    [ ${#inputs[@]} -eq 0 ] && inputs=("$scratch/$target") # an empty corpus: it must start
    if JOURNEY_FUZZ_PROGRAMS=$scratch/programs UBSAN_OPTIONS=halt_on_error=1 \
        "$binary" -runs=0 -timeout=10 -rss_limit_mb=4096 "${inputs[@]}" >"$scratch/$target.log" 2>&1; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
        echo "FAIL $target: an input stored in ${inputs[*]} fails again"
        grep -E 'ERROR|SUMMARY|Test unit written|==[0-9]+==' "$scratch/$target.log" | head -n 8 | sed 's/^/    /'
    fi
done
echo "fuzz-replay: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
