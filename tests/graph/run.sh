#!/usr/bin/env bash
# tests/graph/run.sh BUILD: the journey map, `journeyc graph` (spec/graph.md).
#
# Golden cases: each directory tests/graph/cases/NAME/ holds
#   program.journey   the program, or a file `program` holding the path of one, relative
#                     to the repository root (examples/onboarding.journey)
#   report.json       optional: a simulation report, given with --report
#   args              optional: one line of more arguments (--journey NAME)
#   expected.dot      the DOT that `journeyc graph ... -o -` writes
#   expected.stderr   optional: its diagnostics (default: none)
# Each case runs twice: both runs must give the same bytes (determinism), exit 0 and
# match the expected files. The reports here are written by hand in the shape of
# spec/report.md (nodes in the compiler's numbering, with line and column).
#
# Then single checks: the SVG that Graphviz draws (well-formed XML holding the figures),
# the default output name, the report `journey sim` writes for each example (it must
# match the map with no warning), and the errors: a missing program or report, a report that
# is not JSON or not a report, no `dot` on PATH, a `dot` that fails, an unknown journey,
# an output name without a known extension, options of another command, -Werror.
#
# UPDATE=1 tests/graph/run.sh BUILD rewrites the expected files of the golden cases from
# the current output, for review: check every change against spec/graph.md. Never in CI.
#
# Ends with one line "graph: N passed, N failed"; exits 1 if anything failed.
set -u
build=${1:?usage: run.sh BUILD}
case $build in /*) ;; *) build=$PWD/$build ;; esac
journeyc=$build/journeyc
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root" || exit 2
passed=0
failed=0
scratch=$(mktemp -d "${TMPDIR:-/tmp}/journey-graph.XXXXXX") || exit 2
trap 'rm -rf "$scratch"' EXIT

pass() { passed=$((passed + 1)); }
fail() {
    failed=$((failed + 1))
    printf 'FAIL %s: %s\n' "$1" "$2"
    [ -n "${3:-}" ] && printf '%s\n' "$3" | sed 's/^/    /'
}

# Reads the one-line file $1 without its newline.
read_path() { head -n 1 "$1" | tr -d '\r\n'; }

# ---- golden cases ----------------------------------------------------------------

for dir in tests/graph/cases/*/; do
    dir=${dir%/}
    name=${dir#tests/graph/cases/}
    if [ -f "$dir/program.journey" ]; then program=$dir/program.journey
    elif [ -f "$dir/program" ]; then program=$(read_path "$dir/program")
    else fail "$name" "no program.journey and no program file"; continue
    fi
    args=()
    [ -f "$dir/args" ] && read -r -a args <"$dir/args"
    [ -f "$dir/report.json" ] && args+=(--report "$dir/report.json")
    for run in 1 2; do
        "$journeyc" graph "$program" "${args[@]}" --color=never -o - >"$scratch/$name.out$run" 2>"$scratch/$name.err$run"
        echo $? >"$scratch/$name.status$run"
    done
    status=$(cat "$scratch/$name.status1")
    if [ "${UPDATE:-}" = 1 ]; then
        cp "$scratch/$name.out1" "$dir/expected.dot"
        if [ -s "$scratch/$name.err1" ]; then cp "$scratch/$name.err1" "$dir/expected.stderr"; else rm -f "$dir/expected.stderr"; fi
    fi
    expected_err=/dev/null
    [ -f "$dir/expected.stderr" ] && expected_err=$dir/expected.stderr
    if [ "$status" -ne 0 ]; then
        fail "$name" "exit status $status, expected 0" "$(cat "$scratch/$name.err1")"
    elif ! cmp -s "$scratch/$name.out1" "$scratch/$name.out2" || ! cmp -s "$scratch/$name.err1" "$scratch/$name.err2"; then
        fail "$name" "two runs gave different output"
    elif ! cmp -s "$dir/expected.dot" "$scratch/$name.out1"; then
        fail "$name" "the DOT differs from expected.dot" "$(diff -u "$dir/expected.dot" "$scratch/$name.out1" | head -n 40)"
    elif ! cmp -s "$expected_err" "$scratch/$name.err1"; then
        fail "$name" "the diagnostics differ" "$(diff -u "$expected_err" "$scratch/$name.err1" | head -n 40)"
    else
        pass
    fi
done

# ---- single checks -----------------------------------------------------------------

# Runs journeyc with the remaining arguments; sets $out, $err and $status.
run() {
    "$@" >"$scratch/out" 2>"$scratch/err"
    status=$?
    out=$(cat "$scratch/out")
    err=$(cat "$scratch/err")
}

# expect NAME STATUS TEXT: the last run exited with STATUS and its stderr holds TEXT.
expect() {
    if [ "$status" -ne "$2" ]; then
        fail "$1" "exit status $status, expected $2" "$err"
    elif ! grep -qF -- "$3" <<<"$err"; then
        fail "$1" "standard error lacks: $3" "$err"
    else
        pass
    fi
}

# Whether the file is well-formed XML, with whichever checker the machine has.
well_formed_xml() {
    if command -v xmllint >/dev/null 2>&1; then
        xmllint --noout "$1"
    elif command -v python3 >/dev/null 2>&1; then
        python3 -c 'import sys, xml.dom.minidom; xml.dom.minidom.parse(sys.argv[1])' "$1"
    else
        echo "neither xmllint (libxml2-utils) nor python3 is installed to check the SVG" >&2
        return 1
    fi
}

onboarding=examples/onboarding.journey
onboarding_report=tests/graph/cases/onboarding-report/report.json

# The annotated SVG: drawn by dot, well-formed, the figures in its text.
svg=$scratch/svg/map.svg
mkdir -p "$scratch/svg"
run "$journeyc" graph "$onboarding" --report "$onboarding_report" -o "$svg"
if [ "$status" -ne 0 ] || [ -n "$err" ]; then
    fail svg "exit status $status, expected 0 and no message" "$err"
elif [ ! -s "$svg" ] || ! head -c 2000 "$svg" | grep -q '<svg'; then
    fail svg "no SVG written to $svg"
elif ! xml_errors=$(well_formed_xml "$svg" 2>&1); then
    fail svg "the SVG is not well-formed XML" "$xml_errors"
else
    missing=""
    for figure in 'entered 90' 'sent 85, deferred 5' 'entered 87, waiting 3' 'sent 82, suppressed 5' \
        'exited 5' 'treated 90%' 'timed out' 'reached (treated) 20' 'figures from'; do
        grep -qF -- "$figure" "$svg" || missing="$missing '$figure'"
    done
    leftovers=$(find "$scratch/svg" -name '*.tmp*')
    if [ -n "$missing" ]; then fail svg "the SVG lacks$missing"
    elif [ -n "$leftovers" ]; then fail svg "a temporary file was left behind" "$leftovers"
    else pass
    fi
fi

# -o FILE.dot writes what -o - writes.
run "$journeyc" graph "$onboarding" -o "$scratch/map.dot"
if [ "$status" -ne 0 ] || ! cmp -s "$scratch/map.dot" tests/graph/cases/onboarding/expected.dot; then
    fail dot-file "graph -o map.dot (exit $status) differs from the golden DOT" "$err"
else
    pass
fi

# Without -o, the map is FILE.svg beside the program.
mkdir -p "$scratch/default"
cp "$onboarding" "$scratch/default/welcome.journey"
run "$journeyc" graph -I stdlib "$scratch/default/welcome.journey"
if [ "$status" -ne 0 ] || [ ! -s "$scratch/default/welcome.svg" ]; then
    fail default-output "no welcome.svg beside welcome.journey (exit $status)" "$err"
else
    pass
fi

# A program that cannot be read, or has errors: exit 1, nothing written.
run "$journeyc" graph "$scratch/missing.journey" -o "$scratch/missing.svg"
expect missing-program 1 "missing.journey"
printf 'channel email\njourney broken {\n    entry nothing\n}\n' >"$scratch/broken.journey"
run "$journeyc" graph --color=never "$scratch/broken.journey" -o "$scratch/broken.svg"
expect program-with-errors 1 "broken.journey:3:11: error:"
[ -e "$scratch/broken.svg" ] && fail program-with-errors "a map was written for a program with errors"

# Reports that cannot be used: exit 1, naming the report and the problem.
run "$journeyc" graph "$onboarding" --report "$scratch/absent.json" -o -
expect missing-report 1 "absent.json: cannot read it: No such file or directory"
printf '{"journeys": [{"name": "onboarding",' >"$scratch/truncated.json"
run "$journeyc" graph "$onboarding" --report "$scratch/truncated.json" -o -
expect report-not-json 1 "truncated.json: not valid JSON"
printf '{"journeys": [{"name": "onboarding", "entered": 1, "nodes": [{"index": 0, "kind": "set", "arm": false, "parent": null, "line": "45", "column": 5, "label": null, "entered": 1}]}]}' >"$scratch/shape.json"
run "$journeyc" graph "$onboarding" --report "$scratch/shape.json" -o -
expect report-wrong-shape 1 "shape.json: journeys[0].nodes[0].line: expected a whole number"
printf '[1, 2, 3]' >"$scratch/array.json"
run "$journeyc" graph "$onboarding" --report "$scratch/array.json" -o -
expect report-not-a-report 1 'expected a report (a JSON object with "journeys")'
[ -z "$out" ] || fail report-not-a-report "a map was written despite the bad report"

# No dot on PATH: exit 1 and say what to install; nothing written.
run env PATH=/nonexistent "$journeyc" graph "$onboarding" -o "$scratch/nodot.svg"
expect dot-missing 1 "cannot run 'dot' (Graphviz): No such file or directory; install Graphviz"
[ -e "$scratch/nodot.svg" ] && fail dot-missing "a file was written without dot"

# A dot that fails (here one that exits at once, without reading its input): exit 70,
# with dot's own message.
mkdir -p "$scratch/fakebin"
printf '#!/bin/sh\necho "Error: layout failed on purpose" >&2\nexit 3\n' >"$scratch/fakebin/dot"
chmod +x "$scratch/fakebin/dot"
run env PATH="$scratch/fakebin:$PATH" "$journeyc" graph "$onboarding" -o "$scratch/faildot.svg"
expect dot-fails 70 "dot failed with exit status 3: Error: layout failed on purpose"

# End to end: the report that journey sim writes for each example matches the map's
# numbering, so the map is drawn with every figure and without a warning.
journey=$build/journey
for program in examples/*.journey; do
    events=${program%.journey}.events.jsonl
    [ -f "$events" ] || continue
    example=$(basename "$program" .journey)
    if [ ! -x "$journey" ]; then
        fail "sim-report-$example" "no $journey to make a report with (make builds it)"
        continue
    fi
    run "$journey" sim "$program" "$events" --until +60d --report "$scratch/$example.report.json" -o /dev/null
    if [ "$status" -ne 0 ]; then
        fail "sim-report-$example" "journey sim --report failed (exit $status)" "$err"
        continue
    fi
    run "$journeyc" graph "$program" --report "$scratch/$example.report.json" -o -
    if [ "$status" -ne 0 ] || [ -n "$err" ]; then
        fail "sim-report-$example" "exit status $status, expected 0 and no warning" "$err"
    elif ! grep -q 'entered [0-9]' <<<"$out"; then
        fail "sim-report-$example" "no figures on the map"
    else
        pass
    fi
done

# Command-line mistakes.
run "$journeyc" graph "$onboarding" --journey nowhere -o -
expect unknown-journey 1 "there is no journey 'nowhere' in 'examples/onboarding.journey'"
run "$journeyc" graph "$onboarding" -o "$scratch/map.png"
expect unknown-format 64 "name the map .svg, .dot or .gv"
run "$journeyc" check "$onboarding" --report "$onboarding_report"
expect report-without-graph 64 "--report and --journey are options of the graph command"
run "$journeyc" graph -o -
expect graph-without-file 64 "graph takes one FILE"

# A report that does not match is a warning, an error with -Werror.
run "$journeyc" graph --color=never -Werror tests/graph/cases/report-mismatch/program.journey \
    --report tests/graph/cases/report-mismatch/report.json -o -
expect mismatch-werror 1 "error: journey 'onboarding' does not match the report"

# --help explains the command.
run "$journeyc" --help
if [ "$status" -eq 0 ] && grep -qF 'graph FILE [-o MAP]' <<<"$out" && grep -qF -- '--report REPORT' <<<"$out" &&
    grep -qF -- '--journey NAME' <<<"$out"; then
    pass
else
    fail help "journeyc --help does not explain graph, --report and --journey"
fi

echo "graph: $passed passed, $failed failed"
[ $failed -eq 0 ]
