#!/usr/bin/env bash
# tests/bytecode/check-opcodes.sh: spec/bytecode.md documents every opcode, built-in and
# section of the bytecode headers, numbered as the headers number them.
#
#   opcodes.h    each JR_OPCODE(NAME, operands, pops, pushes, ...), numbered from 0 in
#                order, needs the table row  | N | `NAME` | operands | pops | pushes |
#                (an empty string written -) and a description in prose: **`NAME`**;
#   builtins.h   each JR_BUILTIN(ID, name, result, parameters, ...) the row
#                | N | `name` | result | parameters |;
#   format.h     each S(NAME, id, F(field) ...) of JR_SECTION_LIST the heading
#                ### NAME (id N), and under it each field written as `field`.
#
# Each failure is printed; the last line is "bytecode-spec: N passed, N failed", one
# check per opcode, built-in and section. Exit 1 if anything failed.
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
spec=${BYTECODE_MD:-$root/spec/bytecode.md}
opcodes=${OPCODES_H:-$root/bytecode/opcodes.h}
builtins=${BUILTINS_H:-$root/bytecode/builtins.h}
format=${FORMAT_H:-$root/bytecode/format.h}
passed=0
failed=0

for file in "$spec" "$opcodes" "$builtins" "$format"; do
    if [ ! -r "$file" ]; then
        echo "cannot read $file"
        echo "bytecode-spec: 0 passed, 1 failed"
        exit 1
    fi
done

pass() { passed=$((passed + 1)); }
fail() {
    failed=$((failed + 1))
    echo "FAIL $1"
}
dash() { if [ -n "$1" ]; then printf '%s' "$1"; else printf -- '-'; fi; }
has_line_starting() { awk -v prefix="$1" 'index($0, prefix) == 1 { found = 1 } END { exit !found }' "$spec"; }

# ---- opcodes ----
number=0
count=0
while IFS='|' read -r name operands pops pushes; do
    count=$((count + 1))
    row="| $number | \`$name\` | $(dash "$operands") | $(dash "$pops") | $(dash "$pushes") |"
    problem=""
    has_line_starting "$row" || problem="no table row '$row'"
    if [ -z "$problem" ] && ! grep -qF -- "**\`$name\`" "$spec"; then problem="no description **\`$name\`**"; fi
    if [ -z "$problem" ]; then pass; else fail "opcode $number $name: $problem"; fi
    number=$((number + 1))
done < <(sed -nE 's/^JR_OPCODE\(([A-Z_]+), *"([^"]*)", *"([^"]*)", *"([^"]*)",.*$/\1|\2|\3|\4/p' "$opcodes")
[ "$count" -gt 0 ] || fail "no JR_OPCODE found in $opcodes"

# ---- built-ins ----
number=0
count=0
while IFS='|' read -r name result parameters; do
    count=$((count + 1))
    row="| $number | \`$name\` | $(dash "$result") | $(dash "$parameters") |"
    if has_line_starting "$row"; then pass; else fail "built-in $number $name: no table row '$row'"; fi
    number=$((number + 1))
done < <(sed -nE 's/^JR_BUILTIN\([A-Z_]+, *"([^"]*)", *"([^"]*)", *"([^"]*)",.*$/\1|\2|\3/p' "$builtins")
[ "$count" -gt 0 ] || fail "no JR_BUILTIN found in $builtins"

# ---- sections ----
# The JR_SECTION_LIST macro as one line, then one "NAME id field..." line per section.
sections=$(awk '/^#define JR_SECTION_LIST\(S\)/ { inside = 1 } inside { line = line " " $0; if ($0 !~ /\\[[:space:]]*$/) exit } END { print line }' "$format" |
    tr -d '\\' | grep -oE 'S\([A-Z_]+, *[0-9]+, *([[:space:]]*F\([a-z_]+\))*[[:space:]]*\)' |
    sed -E 's/^S\(([A-Z_]+), *([0-9]+), *(.*)\)$/\1 \2 \3/; s/F\(([a-z_]+)\)/\1/g; s/[[:space:]]+/ /g')
count=0
while read -r name id fields; do
    [ -n "$name" ] || continue
    count=$((count + 1))
    heading="### $name (id $id)"
    if ! grep -qxF -- "$heading" "$spec"; then
        fail "section $id $name: no heading '$heading'"
        continue
    fi
    # The text under the heading, up to the next heading of any level.
    body=$(awk -v h="$heading" '$0 == h { inside = 1; next } inside && /^#/ { exit } inside { print }' "$spec")
    missing=""
    for field in $fields; do
        grep -qF -- "\`$field\`" <<<"$body" || missing="$missing $field"
    done
    if [ -z "$missing" ]; then pass; else fail "section $id $name: fields not documented:$missing"; fi
done <<<"$sections"
[ "$count" -gt 0 ] || fail "no section found in $format"

echo "bytecode-spec: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
