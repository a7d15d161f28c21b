#!/usr/bin/env bash
# tests/journey-tests/run.sh BUILD: `journey test`, the scenario tests of spec/testing.md.
#
#   1. BUILD/journey test examples/ passes: the tests of every example.
#   2. Golden failures: each tests/journey-tests/cases/NAME.test.journey runs alone,
#      from the repository root, as `journey test --color=never FILE`. Its standard
#      output must equal NAME.stdout, its standard error NAME.stderr (empty when there
#      is no such file), its exit status NAME.status (1 when there is none).
#      UPDATE=1 tests/journey-tests/run.sh BUILD rewrites these files from the current
#      output, for review against spec/testing.md; never in CI.
#   3. The command line: usage errors, --help, --match, --quiet, directories.
#   4. journeyc build leaves tests out of the bytecode.
#
# Ends with "journey-tests: N passed, N failed"; exits 1 if anything failed.
set -u
build=${1:?usage: run.sh BUILD}
case $build in /*) ;; *) build=$PWD/$build ;; esac
journey=$build/journey
journeyc=$build/journeyc
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root" || exit 2
cases=tests/journey-tests/cases
passed=0
failed=0
scratch=$(mktemp -d "${TMPDIR:-/tmp}/journey-tests.XXXXXX") || exit 2
trap 'rm -rf "$scratch"' EXIT

pass() { passed=$((passed + 1)); }
fail() {
    failed=$((failed + 1))
    printf 'FAIL %s\n' "$1"
    [ -n "${2:-}" ] && printf '%s\n' "$2" | sed 's/^/    /'
}

# expect_run NAME WANT_STATUS GREP_PATTERN COMMAND...: the command exits with
# WANT_STATUS and its output (both streams) contains a line matching GREP_PATTERN.
expect_run() {
    local name=$1 want=$2 pattern=$3
    shift 3
    local output status
    output=$("$@" 2>&1)
    status=$?
    if [ "$status" -ne "$want" ]; then
        fail "$name: exit status $status, expected $want" "$output"
    elif ! grep -qE -- "$pattern" <<<"$output"; then
        fail "$name: no line matches /$pattern/" "$output"
    else
        pass
    fi
}

# 1. The examples' own tests.
output=$("$journey" test --color=never --allow-native=libchurn.so --native-dir="$build/examples/native" examples/ 2>&1)
status=$?
if [ $status -ne 0 ] || ! tail -n 1 <<<"$output" | grep -qE '^[1-9][0-9]* passed, 0 failed$'; then
    fail "journey test examples/ (exit $status)" "$output"
else
    pass
fi
# Every example has a test file beside it.
for program in examples/*.journey; do
    case $program in *.test.journey) continue ;; esac
    if [ -f "${program%.journey}.test.journey" ]; then pass; else fail "$program has no ${program%.journey}.test.journey"; fi
done

# 2. Golden failures.
for file in "$cases"/*.test.journey; do
    name=${file%.test.journey}
    "$journey" test --color=never "$file" >"$scratch/out" 2>"$scratch/err"
    status=$?
    if [ "${UPDATE:-}" = 1 ]; then
        cp "$scratch/out" "$name.stdout"
        if [ -s "$scratch/err" ]; then cp "$scratch/err" "$name.stderr"; else rm -f "$name.stderr"; fi
        if [ $status -ne 1 ]; then echo $status >"$name.status"; else rm -f "$name.status"; fi
    fi
    want_status=1
    [ -f "$name.status" ] && want_status=$(tr -d ' \r\n' <"$name.status")
    want_err=/dev/null
    [ -f "$name.stderr" ] && want_err=$name.stderr
    problem=
    detail=
    if [ ! -f "$name.stdout" ]; then
        problem="missing $name.stdout (UPDATE=1 writes it, for review)"
    else
        cmp -s "$name.stdout" "$scratch/out" ||
            detail+=$(diff -u --label "$name.stdout" --label actual "$name.stdout" "$scratch/out")$'\n'
        cmp -s "$want_err" "$scratch/err" ||
            detail+=$(diff -u --label "$want_err" --label "actual stderr" "$want_err" "$scratch/err")$'\n'
        [ -n "$detail" ] && problem="output differs from the expected files"
        [ "$status" != "$want_status" ] && problem="exit status $status, expected $want_status"
    fi
    if [ -n "$problem" ]; then fail "${file#$cases/}: $problem" "$detail"; else pass; fi
done

# 3. The command line.
expect_run "no path" 64 "no FILE or DIR to test" "$journey" test
expect_run "unknown option" 64 "unknown option '--frobnicate'" "$journey" test --frobnicate examples/
expect_run "--match without a value" 64 "option '--match' needs a value" "$journey" test examples/ --match
expect_run "bad --color" 64 "--color takes auto, always or never" "$journey" test --color=sometimes examples/
expect_run "--help" 0 "^Usage: journey test " "$journey" test --help
expect_run "a missing file" 1 "cannot read 'no-such-file.test.journey'" "$journey" test no-such-file.test.journey
expect_run "--match" 0 "^1 passed, 0 failed$" \
    "$journey" test --color=never --match "a receipt carries the order" "$cases/payload-differs.test.journey"
output=$("$journey" test --quiet --color=never "$cases/payload-differs.test.journey" 2>&1)
if grep -q '^PASS' <<<"$output" || ! grep -q '^FAIL' <<<"$output"; then
    fail "--quiet prints failures only" "$output"
else
    pass
fi
# A directory runs its *.test.journey files, not the programs beside them.
mkdir -p "$scratch/dir/nested"
cp "$cases/store.journey" "$scratch/dir/nested/"
printf 'import "./store"\ntest "t" {\n    track "a" ordered { order_id: "o", total: 1 }\n    expect "a" send receipt\n}\n' \
    >"$scratch/dir/nested/store.test.journey"
expect_run "a directory" 0 "^1 passed, 0 failed$" "$journey" test "$scratch/dir"
mkdir -p "$scratch/empty"
expect_run "a directory without tests" 1 "no tests found" "$journey" test "$scratch/empty"

# 4. Test blocks are not compiled into bytecode: a program builds the same with them.
mkdir -p "$scratch/build"
cp "$cases/store.journey" "$scratch/build/program.journey"
if "$journeyc" build "$scratch/build/program.journey" -o "$scratch/build/without.jbc" &&
    cat "$cases/payload-differs.test.journey" | grep -v '^import' >>"$scratch/build/program.journey" &&
    "$journeyc" build "$scratch/build/program.journey" -o "$scratch/build/with.jbc" &&
    cmp -s "$scratch/build/without.jbc" "$scratch/build/with.jbc"; then
    pass
else
    fail "journeyc build leaves test blocks out of the bytecode"
fi

echo "journey-tests: $passed passed, $failed failed"
[ $failed -eq 0 ]
