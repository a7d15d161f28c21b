#!/usr/bin/env bash
# tests/spec/check-grammar.sh: the grammar in spec/language.md and the rule comments of
# compiler/parser.y must agree, both ways.
#
#   parser.y:     every comment `/* name -> body */` documents a grammar rule;
#   language.md:  every line of a ```ebnf block of the form `name -> body`.
#
# A rule passes when its text (leading and trailing white space ignored, otherwise
# verbatim) is found on both sides, and fails when it is found on one side only. Each
# failure is printed; the last line is "grammar: N passed, N failed", where N counts
# the distinct rules checked. Exit 1 if anything failed.
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
parser=${PARSER_Y:-$root/compiler/parser.y}
spec=${LANGUAGE_MD:-$root/spec/language.md}
passed=0
failed=0
problems=0

trim() { sed -E 's/^[[:space:]]+//; s/[[:space:]]+$//'; }

if [ ! -r "$parser" ]; then
    echo "cannot read $parser"
    problems=1
fi
if [ ! -r "$spec" ]; then
    echo "cannot read $spec"
    problems=1
fi

# The text inside each rule comment of parser.y.
parser_rules=$(grep -E '/\* [a-z_]+ -> .* \*/' "$parser" 2>/dev/null |
    sed -E 's#^.*/\* ([a-z_]+ -> .*) \*/.*$#\1#' | trim | LC_ALL=C sort -u)

# The lines of the ```ebnf blocks of language.md, then those that read `name -> ...`.
ebnf_lines=$(awk '
    /^[[:space:]]*```/ {
        if (inside) { inside = 0; next }
        if ($0 ~ /^[[:space:]]*```[[:space:]]*ebnf[[:space:]]*$/) { inside = 1; blocks++; next }
    }
    inside { print }
    END { if (!blocks) exit 3 }
' "$spec" 2>/dev/null)
if [ $? -eq 3 ]; then
    echo "no \`\`\`ebnf block in $spec"
    problems=1
fi
spec_rules=$(printf '%s\n' "$ebnf_lines" | trim | grep -E '^[a-z_]+ ->( |$)' | LC_ALL=C sort -u)

if [ -z "$parser_rules" ] && [ -r "$parser" ]; then
    echo "no rule comment found in $parser"
    problems=1
fi

while IFS= read -r rule; do
    [ -n "$rule" ] || continue
    if grep -qxF -- "$rule" <<<"$spec_rules"; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
        echo "missing from spec/language.md: $rule"
    fi
done <<<"$parser_rules"

while IFS= read -r rule; do
    [ -n "$rule" ] || continue
    if ! grep -qxF -- "$rule" <<<"$parser_rules"; then
        failed=$((failed + 1))
        echo "not in compiler/parser.y:      $rule"
    fi
done <<<"$spec_rules"

failed=$((failed + problems))
echo "grammar: $passed passed, $failed failed"
[ $failed -eq 0 ]
