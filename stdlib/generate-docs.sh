#!/usr/bin/env bash
# stdlib/generate-docs.sh [OUTPUT]: writes spec/stdlib.md, the reference of the standard
# library, from the modules stdlib/std/*.journey themselves: each module's opening
# comment, then each event with its external name, the comment above it, and a table of
# its fields with their types and end-of-line comments. Section comments such as
# "// ---- coupons ----" become headings. Without OUTPUT it writes to standard output.
#
# The modules are read in their canonical layout (journeyc fmt keeps them so, and
# tests/format checks it): one field per line inside "event NAME "External" { ... }".
# tests/stdlib/run.sh fails when spec/stdlib.md differs from what this writes, so after
# changing a module run:  stdlib/generate-docs.sh spec/stdlib.md
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
output=${1:-}
scratch=$(mktemp "${TMPDIR:-/tmp}/stdlib-docs.XXXXXX") || exit 1
trap 'rm -f "$scratch"' EXIT

modules=()
while IFS= read -r file; do modules+=("$file"); done < <(LC_ALL=C ls "$root"/stdlib/std/*.journey)
if [ ${#modules[@]} -eq 0 ]; then
    echo "generate-docs.sh: no module in $root/stdlib/std" >&2
    exit 1
fi

{
    cat <<'EOF'
# The standard library

<!-- Generated from stdlib/std/*.journey by stdlib/generate-docs.sh: edit the modules,
     then run `stdlib/generate-docs.sh spec/stdlib.md`. tests/stdlib/run.sh checks that
     this file is up to date. -->

The standard library is a set of modules that declare the events of Segment's
specifications, so that a program imports them instead of retyping them:

```
import "std/ecommerce"

journey abandoned_cart {
    entry checkout_started as cart
    exit on order_completed
    ...
}
```

`import "std/NAME"` resolves from the build tree, from the installed standard library
(`$(datadir)/journey/stdlib`), from `-I DIR` and from `JOURNEY_PATH` (language 4.2).
A module declares events only; importing one makes all its events known, and an
event's external name (the Segment `event` it reads) may not be declared again by the
program (language 5.4). A property an event did not carry reads as missing (language
3.5, 6.10): write `field ?? default` where it may be absent. The built-in functions
(time, strings, math) are part of the language, not of a module: language 3.9.1.

EOF
    for file in "${modules[@]}"; do
        name=std/$(basename "$file" .journey)
        echo "- [\`$name\`](#$(tr -d '/' <<<"$name"))"
    done
    echo
    for file in "${modules[@]}"; do
        awk -v module="std/$(basename "$file" .journey)" '
        function text_of(line) { sub(/^\/\/ ?/, "", line); return line }
        function flush_comment(   i) {
            for (i = 1; i <= comment_count; i++) print comment[i]
            if (comment_count) print ""
            comment_count = 0
        }
        function cell(value) { gsub(/\|/, "\\|", value); return value }
        function start_event(line,   words, external) {
            external = ""
            if (match(line, /"[^"]*"/)) external = substr(line, RSTART + 1, RLENGTH - 2)
            split(line, words, /[ {]+/)
            if (external == "") external = words[2]
            printf "### `%s` (\"%s\")\n\n", words[2], external
            flush_comment()
            field_count = 0
        }
        function add_field(line,   note, name, type) {
            note = ""
            if (match(line, /\/\/.*/)) {
                note = text_of(substr(line, RSTART))
                line = substr(line, 1, RSTART - 1)
            }
            gsub(/[ ,]/, "", line)
            name = substr(line, 1, index(line, ":") - 1)
            type = substr(line, index(line, ":") + 1)
            fields[++field_count] = "| `" name "` | " type " |" (note == "" ? "" : " " cell(note)) " |"
        }
        function end_event(   i) {
            if (field_count == 0) {
                print "No properties.\n"
                return
            }
            print "| Property | Type | Notes |"
            print "|---|---|---|"
            for (i = 1; i <= field_count; i++) print fields[i]
            print ""
        }
        BEGIN { printf "## %s\n\n", module; in_header = 1 }
        in_header && /^\/\// { print text_of($0); next }
        in_header { in_header = 0; print ""; next }
        /^\/\/ ---- .* -+$/ {
            flush_comment()
            heading = $0
            sub(/^\/\/ ---- /, "", heading)
            sub(/ -+$/, "", heading)
            printf "**%s%s**\n\n", toupper(substr(heading, 1, 1)), substr(heading, 2)
            next
        }
        /^\/\// { comment[++comment_count] = text_of($0); next }
        /^$/ { flush_comment(); next }
        /^event .*\{ *$/ { start_event($0); in_event = 1; next }
        /^event / {
            start_event($0)
            if (match($0, /\{.*\}/)) { # the fields on one line
                count = split(substr($0, RSTART + 1, RLENGTH - 2), parts, /,/)
                for (i = 1; i <= count; i++) if (parts[i] ~ /:/) add_field(parts[i])
            }
            end_event()
            next
        }
        in_event && /^\}/ { end_event(); in_event = 0; next }
        in_event { add_field($0); next }
        { printf "generate-docs.sh: %s:%d: not understood: %s\n", FILENAME, FNR, $0 > "/dev/stderr"; failed = 1 }
        END { exit failed }
        ' "$file" || exit 1
    done
} >"$scratch" || exit 1

# The output is written whole or not at all.
if [ -z "$output" ]; then cat "$scratch"; else cp "$scratch" "$output"; fi
