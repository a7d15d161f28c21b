#!/usr/bin/env bash
# tests/format/run.sh BUILD: the tests of journeyc fmt (spec/format.md).
#
#   cases/NAME.journey + NAME.expected  a layout: fmt prints exactly NAME.expected (exit
#                                       0, nothing on stderr), and fmt of NAME.expected
#                                       prints it unchanged.
#   cases/NAME.journey + NAME.error     a file that does not parse: fmt exits 1 with the
#                                       diagnostics of NAME.error (the lines FILE:L:C:
#                                       ..., FILE left out), prints nothing, and neither
#                                       -w nor --check changes a byte of it.
#   every .journey file of tests/compile/ok, examples/ and stdlib/ (and, for the first
#   two checks, of tests/compile/err and cases/ where it parses):
#     idempotent    fmt(fmt(x)) == fmt(x)
#     white space   x and fmt(x) are equal once all white space is removed: fmt
#                   changed nothing but white space, so every comment is kept, in order
#     same code     `journeyc dis` of x and of fmt(x) are equal, once what depends on
#                   source positions is removed: the lines that quote the source, the
#                   line:column of each node and the size of the line table. Both are
#                   compiled in a copy of x's directory, so imports resolve the same
#                   and the listings name the same file
#   the command line: --check on examples/ and stdlib/ passes; --check names unformatted
#   files (recursing into directories); -w rewrites them, keeps their mode and leaves
#   formatted files alone; usage errors exit 64.
# Ends with one line "format: N passed, N failed"; exits 1 if anything failed.
set -u
build=${1:?usage: run.sh BUILD}
case $build in /*) ;; *) build=$PWD/$build ;; esac
journeyc=$build/journeyc
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root" || exit 2
cases=tests/format/cases
passed=0
failed=0
scratch=$(mktemp -d "${TMPDIR:-/tmp}/journey-format.XXXXXX") || exit 2
trap 'rm -rf "$scratch"' EXIT

pass() { passed=$((passed + 1)); }
fail() {
    failed=$((failed + 1))
    printf 'FAIL %s\n' "$1"
    [ -n "${2:-}" ] && printf '%s\n' "$2" | head -n 20 | sed 's/^/    /'
}
# The text of a file without any white space.
squeezed() { tr -d ' \t\r\n' <"$1"; }

# ---- golden layouts -----------------------------------------------------------------

for input in "$cases"/*.journey; do
    name=${input%.journey}
    if [ -f "$name.expected" ]; then
        "$journeyc" fmt "$input" >"$scratch/out" 2>"$scratch/err"
        status=$?
        if [ $status -ne 0 ] || [ -s "$scratch/err" ]; then
            fail "$input (exit $status)" "$(cat "$scratch/err")"
        elif ! cmp -s "$scratch/out" "$name.expected"; then
            fail "$input: output differs from $name.expected" "$(diff "$name.expected" "$scratch/out")"
        else
            pass
        fi
        "$journeyc" fmt "$name.expected" >"$scratch/again" 2>&1
        if cmp -s "$scratch/again" "$name.expected"; then pass
        else fail "$name.expected is not left as it is" "$(diff "$name.expected" "$scratch/again")"
        fi
    elif [ -f "$name.error" ]; then
        cp "$input" "$scratch/broken.journey"
        chmod 644 "$scratch/broken.journey"
        "$journeyc" fmt --color=never "$input" >"$scratch/out" 2>"$scratch/err"
        status=$?
        actual=$(grep -aE '^[^ ].*:[0-9]+:[0-9]+: (error|warning|note): ' "$scratch/err" | sed "s|^$input:||")
        if [ $status -ne 1 ] || [ -s "$scratch/out" ]; then
            fail "$input (exit $status, expected 1 and no output)" "$(cat "$scratch/out" "$scratch/err")"
        elif [ "$actual" != "$(cat "$name.error")" ]; then
            fail "$input: diagnostics differ from $name.error" "$(diff "$name.error" <(printf '%s\n' "$actual"))"
        else
            pass
        fi
        for option in -w --check; do
            "$journeyc" fmt "$option" "$scratch/broken.journey" >"$scratch/out" 2>/dev/null
            status=$?
            if [ $status -eq 1 ] && [ ! -s "$scratch/out" ] && cmp -s "$input" "$scratch/broken.journey"; then pass
            else fail "fmt $option on $input (exit $status): the file must stay as it is, with no output"
            fi
        done
    else
        fail "$input has neither $name.expected nor $name.error"
    fi
done

# ---- every program of the repository ------------------------------------------------

# The listing of FILE compiled in DIRECTORY, without what depends on source lines.
listing() {
    (cd "$1" && "$journeyc" dis "$2" 2>&1; echo "exit $?") |
        sed -e '/^    ; /d' -e 's/ LINES [0-9]*//' -e 's/ at [0-9]*:[0-9]*$//'
}

check_program() { # FILE MEANING: idempotence, white space and, if MEANING, the same code
    local file=$1 meaning=$2
    if ! "$journeyc" fmt "$file" >"$scratch/first" 2>"$scratch/err"; then
        # A file that does not parse is fine only where errors are the point.
        case $file in
        tests/compile/err/* | "$cases"/*) grep -q ': error: ' "$scratch/err" && return ;;
        esac
        fail "$file does not format" "$(cat "$scratch/err")"
        return
    fi
    "$journeyc" fmt "$scratch/first" >"$scratch/second" 2>&1
    if cmp -s "$scratch/first" "$scratch/second"; then pass
    else fail "$file: formatting twice differs from formatting once" "$(diff "$scratch/first" "$scratch/second")"
    fi
    if [ "$(squeezed "$file")" == "$(squeezed "$scratch/first")" ]; then pass
    else fail "$file: fmt changed more than white space"
    fi
    [ "$meaning" = yes ] || return
    local directory base
    directory=$(dirname "$file")
    base=$(basename "$file")
    rm -rf "$scratch/original" "$scratch/formatted"
    mkdir -p "$scratch/original"
    (cd "$directory" && find . -name '*.journey' -exec cp --parents {} "$scratch/original" \;)
    cp -r "$scratch/original" "$scratch/formatted"
    cp "$scratch/first" "$scratch/formatted/$base"
    listing "$scratch/original" "$base" >"$scratch/listing.original"
    listing "$scratch/formatted" "$base" >"$scratch/listing.formatted"
    if ! grep -qx 'exit 0' "$scratch/listing.original"; then
        fail "$file does not compile" "$(cat "$scratch/listing.original")"
    elif cmp -s "$scratch/listing.original" "$scratch/listing.formatted"; then
        pass
    else
        fail "$file: the formatted file compiles to other code" \
            "$(diff "$scratch/listing.original" "$scratch/listing.formatted")"
    fi
}

for file in tests/compile/ok/*.journey examples/*.journey stdlib/std/*.journey; do
    [ -e "$file" ] && check_program "$file" yes
done
for file in tests/compile/err/*.journey "$cases"/*.journey; do
    [ -e "$file" ] && check_program "$file" no
done

# ---- the command line ---------------------------------------------------------------

# Runs journeyc fmt with the arguments; the status, stdout and stderr land in $status,
# $scratch/out and $scratch/err.
run_fmt() {
    "$journeyc" fmt "$@" >"$scratch/out" 2>"$scratch/err"
    status=$?
}

run_fmt --check examples/ stdlib/
if [ $status -eq 0 ] && [ ! -s "$scratch/out" ]; then pass
else fail "journeyc fmt --check examples/ stdlib/ (exit $status): run journeyc fmt -w on them" "$(cat "$scratch/out" "$scratch/err")"
fi

# A tree with formatted and unformatted files, a hidden directory and another extension.
tree=$scratch/tree
mkdir -p "$tree/nested/deeper" "$tree/.hidden"
cp "$cases/spacing.journey" "$tree/unformatted.journey"
cp "$cases/spacing.expected" "$tree/formatted.journey"
cp "$cases/nested-blocks.journey" "$tree/nested/deeper/also-unformatted.journey"
cp "$cases/spacing.journey" "$tree/.hidden/skipped.journey"
cp "$cases/spacing.journey" "$tree/nested/not-a-program.txt"
chmod 640 "$tree/unformatted.journey"

run_fmt --check "$tree"
expected=$(printf '%s\n' "$tree/nested/deeper/also-unformatted.journey" "$tree/unformatted.journey")
if [ $status -eq 1 ] && [ "$(cat "$scratch/out")" == "$expected" ]; then pass
else fail "--check on a directory (exit $status) must name exactly the unformatted .journey files" "$(cat "$scratch/out" "$scratch/err")"
fi

run_fmt "$cases/spacing.journey" "$cases/one-line.journey"
if [ $status -eq 0 ] && cmp -s "$scratch/out" <(cat "$cases/spacing.expected" "$cases/one-line.expected"); then pass
else fail "fmt of two files must print both, one after the other (exit $status)"
fi

inode_before=$(stat -c %i "$tree/formatted.journey")
run_fmt -w "$tree"
if [ $status -eq 0 ] && [ ! -s "$scratch/out" ] && cmp -s "$tree/unformatted.journey" "$cases/spacing.expected" &&
    cmp -s "$tree/nested/deeper/also-unformatted.journey" "$cases/nested-blocks.expected"; then pass
else fail "-w on a directory (exit $status) must rewrite the unformatted files" "$(cat "$scratch/out" "$scratch/err")"
fi
if [ "$(stat -c %a "$tree/unformatted.journey")" = 640 ]; then pass
else fail "-w must keep the mode of the file it rewrites"
fi
if [ "$(stat -c %i "$tree/formatted.journey")" = "$inode_before" ]; then pass
else fail "-w must not rewrite a file that is already formatted"
fi
if cmp -s "$tree/.hidden/skipped.journey" "$cases/spacing.journey" &&
    cmp -s "$tree/nested/not-a-program.txt" "$cases/spacing.journey"; then pass
else fail "-w on a directory must skip hidden directories and files that are not .journey"
fi
run_fmt --check "$tree"
if [ $status -eq 0 ] && [ ! -s "$scratch/out" ]; then pass
else fail "--check after -w (exit $status)" "$(cat "$scratch/out" "$scratch/err")"
fi

# One file that cannot be read does not stop the others.
cp "$cases/spacing.journey" "$scratch/after-missing.journey"
run_fmt -w "$scratch/missing.journey" "$scratch/after-missing.journey"
if [ $status -eq 1 ] && grep -q "cannot read '$scratch/missing.journey'" "$scratch/err" &&
    cmp -s "$scratch/after-missing.journey" "$cases/spacing.expected"; then pass
else fail "a missing file: exit 1, a message, and the other files still formatted (exit $status)" "$(cat "$scratch/err")"
fi

usage_cases=("fmt" "fmt -w --check $cases/spacing.journey" "check -w $cases/spacing.journey"
    "build --check $cases/spacing.journey")
for arguments in "${usage_cases[@]}"; do
    read -r -a words <<<"$arguments"
    "$journeyc" "${words[@]}" >/dev/null 2>"$scratch/err"
    status=$?
    if [ $status -eq 64 ] && grep -q "Try 'journeyc --help'" "$scratch/err"; then pass
    else fail "journeyc $arguments: exit $status, expected 64 with a usage message"
    fi
done
if "$journeyc" --help | grep -q '^  fmt FILE|DIR'; then pass
else fail "journeyc --help does not describe fmt"
fi

echo "format: $passed passed, $failed failed"
[ $failed -eq 0 ]
