#!/usr/bin/env bash
# tests/stdlib/run.sh BUILD_DIR: the standard library and its documentation agree.
#
#   spec/stdlib.md         is exactly what stdlib/generate-docs.sh writes from the
#                          modules (run `stdlib/generate-docs.sh spec/stdlib.md` after
#                          changing one);
#   spec/language.md 3.9.1 has a table row  | `name(type, ...)` | result |  for every
#                          form of every built-in of bytecode/builtins.h;
#   segment-events/        the modules read events shaped as Segment's specifications
#                          show them: `journey sim` of program.journey on events.jsonl
#                          prints exactly expected.actions.jsonl.
#
# Ends with "stdlib: N passed, N failed"; exits 1 if anything failed.
set -u
build=${1:?usage: run.sh BUILD_DIR}
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root" || exit 2
passed=0
failed=0
scratch=$(mktemp -d "${TMPDIR:-/tmp}/journey-stdlib.XXXXXX") || exit 2
trap 'rm -rf "$scratch"' EXIT

pass() { passed=$((passed + 1)); }
fail() {
    failed=$((failed + 1))
    printf 'FAIL %s\n' "$1"
    [ -n "${2:-}" ] && printf '%s\n' "$2" | sed 's/^/    /'
}

# ---- spec/stdlib.md ----
if ! stdlib/generate-docs.sh "$scratch/stdlib.md" 2>"$scratch/generate.err"; then
    fail "stdlib/generate-docs.sh failed" "$(cat "$scratch/generate.err")"
elif ! difference=$(diff -u --label spec/stdlib.md --label generated spec/stdlib.md "$scratch/stdlib.md"); then
    fail "spec/stdlib.md is not what stdlib/generate-docs.sh writes (run: stdlib/generate-docs.sh spec/stdlib.md)" \
        "$difference"
else
    pass
fi

# ---- the built-ins' table in spec/language.md 3.9.1 ----
section=$(awk '/^#### 3\.9\.1 /{ inside = 1; next } inside && /^#/ { exit } inside { print }' spec/language.md)
type_name() {
    case $1 in n) echo number ;; s) echo string ;; b) echo bool ;; t) echo time ;; d) echo duration ;; esac
}
count=0
while IFS='|' read -r name result parameters; do
    count=$((count + 1))
    types=
    for ((i = 0; i < ${#parameters}; i++)); do
        types+=${types:+, }$(type_name "${parameters:i:1}")
    done
    row="| \`$name($types)\` | $(type_name "$result") |"
    if grep -qF -- "$row" <<<"$section"; then pass; else fail "spec/language.md 3.9.1 has no row starting '$row'"; fi
done < <(sed -nE 's/^JR_BUILTIN\([A-Z_]+, *"([^"]*)", *"([^"]*)", *"([^"]*)",.*$/\1|\2|\3/p' bytecode/builtins.h)
[ "$count" -gt 0 ] || fail "no JR_BUILTIN found in bytecode/builtins.h"

# ---- Segment-shaped events ----
case=tests/stdlib/segment-events
if ! "$build/journey" sim -I stdlib "$case/program.journey" "$case/events.jsonl" >"$scratch/actions" 2>"$scratch/summary"; then
    fail "$case: journey sim failed" "$(cat "$scratch/summary")"
elif ! difference=$(diff -u --label "$case/expected.actions.jsonl" --label actual "$case/expected.actions.jsonl" \
    "$scratch/actions"); then
    fail "$case: the actions differ" "$difference"
else
    pass
fi

echo "stdlib: $passed passed, $failed failed"
[ $failed -eq 0 ]
