#!/usr/bin/env bash
# tests/sim/run.sh JOURNEY [CASE...]: the golden simulation tests.
#
# Each directory tests/sim/NAME/ is one case:
#   program.journey          the program, or a file `program` holding the path of one,
#                            relative to the repository root (examples/onboarding.journey)
#   events.jsonl             the event log, or a file `events` holding the path of one, or
#                            an executable `generate` that writes the log to the path it
#                            is given (for large cases, so the repository stays small)
#   args                     optional: one line of extra `journey sim` arguments
#                            (--until +30d, --on-bad-event=skip), split on white space
#   expected.actions.jsonl   the expected standard output (the actions)
#   expected.summary         the expected standard error (the summary)
#   expected.status          optional: the expected exit status (default 0)
#   check                    optional: an executable run as `check STDOUT STDERR` after
#                            the comparison; a non-zero exit fails the case
# Every case runs twice: both runs must give byte-identical output (determinism) and
# match the expected files; a mismatch prints a unified diff. Then it runs with
# --threads 2 and --threads 3, which must give the same bytes again (actions, summary,
# exit status), and, when it succeeds, with --report in each format (.json, .txt,
# .html), on one thread and on two and three, whose reports must be the same bytes too
# (spec/language.md 6.16). The simulation runs in the repository root, so file names in
# messages are relative to it.
#
# UPDATE=1 tests/sim/run.sh JOURNEY rewrites the expected files from the current output,
# for review: every expected file must be checked by hand against spec/language.md
# (each program.journey says in its header what it expects and why). Never in CI.
#
# Ends with one line "sim: N passed, N failed"; exits 1 if a case failed.
set -u
journey=${1:?usage: run.sh JOURNEY [CASE...]}
shift
case $journey in /*) ;; *) journey=$PWD/$journey ;; esac
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root" || exit 2
passed=0
failed=0
scratch=$(mktemp -d "${TMPDIR:-/tmp}/journey-sim.XXXXXX") || exit 2
trap 'rm -rf "$scratch"' EXIT

fail() {
    failed=$((failed + 1))
    printf 'FAIL %s: %s\n' "$1" "$2"
    [ -n "${3:-}" ] && printf '%s\n' "$3" | sed 's/^/    /'
}

# Reads the one-line file $1 (a path relative to the root), without its newline.
read_path() { head -n 1 "$1" | tr -d '\r\n'; }

cases=()
if [ $# -gt 0 ]; then
    for name in "$@"; do cases+=("tests/sim/${name%/}"); done
else
    while IFS= read -r dir; do cases+=("$dir"); done < <(LC_ALL=C find tests/sim -mindepth 1 -maxdepth 1 -type d | LC_ALL=C sort)
fi

for dir in "${cases[@]}"; do
    name=${dir#tests/sim/}
    if [ -f "$dir/program.journey" ]; then program=$dir/program.journey
    elif [ -f "$dir/program" ]; then program=$(read_path "$dir/program")
    else fail "$name" "no program.journey and no program file"; continue
    fi
    work=$scratch/$name
    mkdir -p "$work"
    if [ -x "$dir/generate" ]; then
        events=$work/events.jsonl
        if ! "$dir/generate" "$events"; then fail "$name" "generate failed"; continue; fi
    elif [ -f "$dir/events.jsonl" ]; then events=$dir/events.jsonl
    elif [ -f "$dir/events" ]; then events=$(read_path "$dir/events")
    else fail "$name" "no events.jsonl, events or generate"; continue
    fi
    args=()
    [ -f "$dir/args" ] && read -r -a args < "$dir/args"

    for run in 1 2; do
        "$journey" sim "$program" "$events" "${args[@]}" >"$work/out$run" 2>"$work/err$run"
        echo $? >"$work/status$run"
    done
    status=$(cat "$work/status1")

    if [ "${UPDATE:-}" = 1 ]; then
        cp "$work/out1" "$dir/expected.actions.jsonl"
        cp "$work/err1" "$dir/expected.summary"
        if [ "$status" -ne 0 ]; then echo "$status" >"$dir/expected.status"; else rm -f "$dir/expected.status"; fi
    fi

    problem=
    detail=
    for part in out err status; do
        if ! cmp -s "$work/${part}1" "$work/${part}2"; then
            problem="two runs differ (not deterministic)"
            detail+=$(diff -u --label run1 --label run2 "$work/${part}1" "$work/${part}2")$'\n'
        fi
    done
    if [ -z "$problem" ]; then
        want_status=0
        [ -f "$dir/expected.status" ] && want_status=$(tr -d ' \r\n' <"$dir/expected.status")
        for pair in "out:expected.actions.jsonl" "err:expected.summary"; do
            part=${pair%%:*} file=${pair#*:}
            if [ ! -f "$dir/$file" ]; then
                problem="missing $file (UPDATE=1 writes it, for review)"
            elif ! cmp -s "$dir/$file" "$work/${part}1"; then
                problem="output differs from the expected files"
                detail+=$(diff -u --label "$dir/$file" --label actual "$dir/$file" "$work/${part}1")$'\n'
            fi
        done
        if [ "$status" != "$want_status" ]; then
            problem="exit status $status, expected $want_status"
        fi
    fi
    # The same run sharded among threads: the same bytes, and the same reports.
    if [ -z "$problem" ]; then
        for threads in 2 3; do
            "$journey" sim "$program" "$events" "${args[@]}" --threads "$threads" \
                >"$work/out-t$threads" 2>"$work/err-t$threads"
            echo $? >"$work/status-t$threads"
            for part in out err status; do
                if ! cmp -s "$work/${part}1" "$work/$part-t$threads"; then
                    problem="--threads $threads differs from one thread"
                    detail+=$(diff -u --label "one thread" --label "$threads threads" "$work/${part}1" \
                        "$work/$part-t$threads")$'\n'
                fi
            done
        done
    fi
    if [ -z "$problem" ] && [ "$status" = 0 ]; then
        for format in json txt html; do
            for threads in 1 2 3; do
                "$journey" sim "$program" "$events" "${args[@]}" --threads "$threads" --quiet \
                    --report "$work/report-t$threads.$format" >/dev/null 2>&1
            done
            for threads in 2 3; do
                if ! cmp -s "$work/report-t1.$format" "$work/report-t$threads.$format"; then
                    problem="the .$format report with --threads $threads differs from one thread's"
                    detail+=$(diff -u --label "one thread" --label "$threads threads" "$work/report-t1.$format" \
                        "$work/report-t$threads.$format" | head -n 40)$'\n'
                fi
            done
        done
    fi
    if [ -z "$problem" ] && [ -x "$dir/check" ]; then
        if ! detail=$("$dir/check" "$work/out1" "$work/err1" 2>&1); then problem="check failed"; fi
    fi
    if [ -n "$problem" ]; then
        fail "$name" "$problem" "$detail"
    else
        passed=$((passed + 1))
    fi
done

echo "sim: $passed passed, $failed failed"
[ $failed -eq 0 ]
