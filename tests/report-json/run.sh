#!/usr/bin/env bash
# tests/report-json/run.sh BUILD_DIR [CASE...]: golden tests of the figures of the
# simulation report (`journey sim ... --report FILE.json`, spec/report.md).
#
# Each directory tests/report-json/NAME/ is one case:
#   program.journey   the program; its opening comment block states, figure by figure,
#                     what the report must say and why, according to spec/report.md, so
#                     that expected.json can be checked against the spec by reading
#   events.jsonl      the event log, written by hand (it may be empty)
#   args              optional: one line of extra `journey sim` arguments (--until +30d),
#                     split on white space
#   expected.json     the expected report
# The simulation runs from the repository root with relative paths (the report names
# the program and the logs as given), with `-I stdlib` when the program imports a
# standard module. Every case runs twice: both reports must be byte-identical
# (determinism) and equal expected.json; a mismatch prints a unified diff.
#
# UPDATE=1 tests/report-json/run.sh BUILD_DIR rewrites expected.json from the current
# output, for review against each program's comment block and spec/report.md. Never in CI.
#
# Ends with one line "report-json: N passed, N failed"; exits 1 if a case failed.
set -u
build=${1:?usage: run.sh BUILD_DIR [CASE...]}
shift
case $build in /*) ;; *) build=$PWD/$build ;; esac
journey=$build/journey
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root" || exit 2
passed=0
failed=0
scratch=$(mktemp -d "${TMPDIR:-/tmp}/journey-report-json.XXXXXX") || exit 2
trap 'rm -rf "$scratch"' EXIT

fail() {
    failed=$((failed + 1))
    printf 'FAIL %s: %s\n' "$1" "$2"
    [ -n "${3:-}" ] && printf '%s\n' "$3" | sed 's/^/    /'
}

cases=()
if [ $# -gt 0 ]; then
    for name in "$@"; do cases+=("tests/report-json/${name%/}"); done
else
    while IFS= read -r dir; do cases+=("$dir"); done < <(LC_ALL=C find tests/report-json -mindepth 1 -maxdepth 1 -type d | LC_ALL=C sort)
fi

for dir in "${cases[@]}"; do
    name=${dir#tests/report-json/}
    program=$dir/program.journey
    events=$dir/events.jsonl
    if [ ! -f "$program" ] || [ ! -f "$events" ]; then
        fail "$name" "needs program.journey and events.jsonl"
        continue
    fi
    args=()
    [ -f "$dir/args" ] && read -r -a args < "$dir/args"
    grep -q '^[[:space:]]*import[[:space:]]*"std/' "$program" && args+=(-I stdlib)
    work=$scratch/$name
    mkdir -p "$work"

    problem=
    detail=
    for run in 1 2; do
        if ! "$journey" sim "$program" "$events" "${args[@]}" -o /dev/null --quiet \
                --report "$work/report$run.json" 2>"$work/err$run"; then
            problem="journey sim failed (run $run)"
            detail=$(cat "$work/err$run")
            break
        fi
    done
    if [ -z "$problem" ] && ! cmp -s "$work/report1.json" "$work/report2.json"; then
        problem="two runs differ (not deterministic)"
        detail=$(diff -u --label run1 --label run2 "$work/report1.json" "$work/report2.json")
    fi
    if [ -z "$problem" ]; then
        [ "${UPDATE:-}" = 1 ] && cp "$work/report1.json" "$dir/expected.json"
        if [ ! -f "$dir/expected.json" ]; then
            problem="missing expected.json (UPDATE=1 writes it, for review)"
        elif ! cmp -s "$dir/expected.json" "$work/report1.json"; then
            problem="the report differs from expected.json"
            detail=$(diff -u --label "$dir/expected.json" --label actual "$dir/expected.json" "$work/report1.json")
        fi
    fi
    if [ -n "$problem" ]; then
        fail "$name" "$problem" "$detail"
    else
        passed=$((passed + 1))
    fi
done

echo "report-json: $passed passed, $failed failed"
[ $failed -eq 0 ]
