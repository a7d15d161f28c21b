#!/usr/bin/env bash
# tests/examples/run.sh JOURNEYC: every example and standard module checks clean,
# warnings included. Ends with "examples: N passed, N failed".
set -u
journeyc=${1:?usage: run.sh JOURNEYC}
cd "$(dirname "$0")/../.." || exit 2
passed=0
failed=0
for file in examples/*.journey examples/*/*.journey stdlib/std/*.journey; do
    [ -e "$file" ] || continue
    output=$("$journeyc" check -Werror --color=never "$file" 2>&1)
    status=$?
    if [ $status -eq 0 ] && [ -z "$output" ]; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
        echo "FAIL $file (exit $status)"
        printf '%s\n' "$output" | sed 's/^/    /'
    fi
done
echo "examples: $passed passed, $failed failed"
[ $failed -eq 0 ]
