#!/usr/bin/env bash
# tests/compile/run.sh JOURNEYC: the golden compile tests.
#
#   tests/compile/ok/*.journey   must check clean: exit 0, no diagnostic at all.
#   tests/compile/err/*.journey  carry their expected diagnostics inline, one per
#                                comment:  // expect: 12:5: error: undeclared event 'purchse'
#                                Diagnostics in another file (an imported module) are
#                                written with its path: // expect: std/email.journey:3:7: note: ...
#                                Notes count like errors and warnings. The run must print
#                                exactly the expected set (missing and unexpected both
#                                fail) and exit 1 if any error is expected, else 0.
# Prints one line per failure and ends with "compile: N passed, N failed".
set -u
journeyc=${1:?usage: run.sh JOURNEYC}
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root" || exit 2
passed=0
failed=0

fail() {
    failed=$((failed + 1))
    printf 'FAIL %s\n' "$1"
    [ -n "${2:-}" ] && printf '%s\n' "$2" | sed 's/^/    /'
}

for file in tests/compile/ok/*.journey; do
    [ -e "$file" ] || continue
    output=$("$journeyc" check --color=never "$file" 2>&1)
    status=$?
    if [ $status -ne 0 ] || [ -n "$output" ]; then
        fail "$file (exit $status, expected a clean check)" "$output"
    else
        passed=$((passed + 1))
    fi
done

for file in tests/compile/err/*.journey; do
    [ -e "$file" ] || continue
    expected=$(grep -ao '// expect: .*' "$file" | sed 's|^// expect: ||' | LC_ALL=C sort)
    if [ -z "$expected" ]; then
        fail "$file has no '// expect:' line"
        continue
    fi
    output=$("$journeyc" check --color=never "$file" 2>&1)
    status=$?
    # Keep the diagnostic lines, drop the excerpts; shorten this file's path and the
    # standard library's.
    actual=$(printf '%s\n' "$output" |
        grep -aE '^[^ ].*:[0-9]+:[0-9]+: (error|warning|note): ' |
        sed -e "s|^$file:||" -e 's|^[^ :]*stdlib/std/|std/|' | LC_ALL=C sort)
    want_status=0
    grep -q '^[^:]*:*[0-9]*:*[0-9]*: error: \|^[0-9]*:[0-9]*: error: ' <<<"$expected" && want_status=1
    difference=$(diff <(printf '%s\n' "$expected") <(printf '%s\n' "$actual") |
        sed -n -e 's/^< /missing:    /p' -e 's/^> /unexpected: /p')
    if [ -n "$difference" ]; then
        fail "$file" "$difference"
    elif [ $status -ne $want_status ]; then
        fail "$file (exit $status, expected $want_status)"
    else
        passed=$((passed + 1))
    fi
done

# An import beside a file named without a directory (journeyc check main.journey).
scratch=$(mktemp -d)
printf 'event registered "Registered"\n' >"$scratch/events.journey"
printf 'import "events"\nchannel email\nmessage hello = email "hello"\njourney greet {\n    entry registered\n    send hello\n}\n' >"$scratch/main.journey"
journeyc_path=$(cd "$(dirname "$journeyc")" && pwd)/$(basename "$journeyc")
if output=$(cd "$scratch" && "$journeyc_path" check --color=never main.journey 2>&1) && [ -z "$output" ]; then
    passed=$((passed + 1))
else
    fail "import beside a file named without a directory" "$output"
fi
rm -rf "$scratch"

echo "compile: $passed passed, $failed failed"
[ $failed -eq 0 ]
