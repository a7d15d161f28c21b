#!/usr/bin/env bash
# tests/embed/run.sh BUILD_DIR: libjourney as a host sees it (issue 5), and the embed
# example (examples/embed/embed.c) stopped and restarted in the middle of a journey.
#
#   library     BUILD_DIR/libjourney.so.VERSION has the soname libjourney.so.0, its
#               links, and exports exactly the functions include/journey.h declares
#               (nothing internal, no C++ symbol); runtime/libjourney.map lists them
#   walk-through  the C excerpts in spec/embedding.md section 1 are embed.c's lines
#   post-json   tests/embed/post_json_checks.c, a host of its own, on jr_vm_post_json
#   build       the example compiles against the header and links with -ljourney alone
#   reference   all of examples/onboarding.events.jsonl, then "advance HORIZON": the
#               actions must be byte-identical to `journey sim ... --until HORIZON`
#   usage       --help, usage errors (64), a missing program and a damaged state (1,
#               the state file left alone), bad lines reported and skipped
#   restart     the first events, end of input (the state is saved), then a restart
#               with the rest: together the same actions as the reference, in order
#   sigterm     the first events through a pipe that stays open; SIGTERM while embed
#               waits on it: exit 0 within 5 s, a state file, no .tmp left; the
#               restart goes on with the waits of the contacts that signed up before
#   sigint      SIGINT with no input at all: a valid state that restores
#   wall-clock  --wall-clock fires, at start, the timers that came due while stopped
#   install     `make install PREFIX=TMP` (the issue's "done when"), then
#               `cc examples/embed/*.c $(pkg-config --cflags --libs libjourney)` and
#               a run; the static library links with `pkg-config --static`; `make
#               uninstall` leaves no file behind
#
# The sanitizers are used when the library was built with them (BUILD_DIR is
# build-sanitize). Ends with one line "embed: N passed, N failed"; exits 1 if anything
# failed.
set -u
build=${1:?usage: run.sh BUILD_DIR}
case $build in /*) ;; *) build=$PWD/$build ;; esac
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root" || exit 2
passed=0
failed=0
scratch=$(mktemp -d "${TMPDIR:-/tmp}/journey-embed.XXXXXX") || exit 2
host_pid=
cleanup() {
    [ -n "$host_pid" ] && kill "$host_pid" 2>/dev/null
    exec 3>&- 2>/dev/null
    rm -rf "$scratch"
}
trap cleanup EXIT

fail() {
    failed=$((failed + 1))
    printf 'FAIL %s: %s\n' "$1" "$2"
    [ -n "${3:-}" ] && printf '%s\n' "$3" | head -n 30 | sed 's/^/    /'
}
pass() { passed=$((passed + 1)); }

version=$(sed -nE 's/^VERSION *:= *//p' Makefile)
library=$build/libjourney.so.$version
events=examples/onboarding.events.jsonl
horizon=2026-04-15T00:00:00Z
split=30 # events 1-30 before the stop: users 1 to 4 and 6 have signed up

flags=(-std=c17 -Wall -Wextra -Werror -g -O1)
sanitized=false
if nm "$library" 2>/dev/null | grep -q __asan; then
    sanitized=true
    # shellcheck disable=SC2054 # the commas belong to the option
    flags+=(-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer)
fi
export LD_LIBRARY_PATH=$build${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}

# ---- the library ------------------------------------------------------------------------

if [ ! -f "$library" ]; then
    fail library "missing $library (run make first)"
else
    soname=$(readelf -d "$library" | sed -nE 's/.*\(SONAME\).*\[(.*)\]/\1/p')
    if [ "$soname" != libjourney.so.0 ]; then fail soname "soname '$soname', expected libjourney.so.0"
    elif [ "$(readlink "$build/libjourney.so.0")" != "libjourney.so.$version" ] ||
        [ "$(readlink "$build/libjourney.so")" != libjourney.so.0 ]; then
        fail soname "libjourney.so -> libjourney.so.0 -> libjourney.so.$version links missing"
    else pass
    fi

    # What the header declares: every function name followed by its parameter list.
    declared=$(cc -E -P include/journey.h | tr '\n' ' ' |
        grep -oE '[A-Za-z_][A-Za-z0-9_ *]*\bjr_[a-z0-9_]+ *\(' | grep -v '(\*' |
        grep -oE 'jr_[a-z0-9_]+ *\($' | tr -d ' (' | LC_ALL=C sort)
    exported=$(nm -D --defined-only "$library" | awk '$2 != "A" { sub(/@.*/, "", $3); print $3 }' | LC_ALL=C sort)
    listed=$(grep -oE '^ +jr_[a-z0-9_]+;' runtime/libjourney.map | tr -d ' ;' | LC_ALL=C sort)
    if [ -z "$declared" ]; then fail exports "found no function in include/journey.h"
    elif [ "$exported" != "$declared" ]; then
        fail exports "the exported symbols differ from journey.h's functions (< exported, > declared)" \
            "$(diff <(echo "$exported") <(echo "$declared") | grep '^[<>]')"
    else pass
    fi
    if [ "$listed" != "$declared" ]; then
        fail version-script "runtime/libjourney.map differs from journey.h (< listed, > declared)" \
            "$(diff <(echo "$listed") <(echo "$declared") | grep '^[<>]')"
    else pass
    fi
fi

# The walk-through (spec/embedding.md section 1) quotes the example: every line of its
# C blocks must be a line of examples/embed/embed.c.
quoted=$(awk '/^## 1\./ { on = 1 } /^## 2\./ { on = 0 } on && /^```c$/ { code = 1; next }
              /^```$/ { code = 0 } on && code && NF' spec/embedding.md)
stale=$(while IFS= read -r line; do
    grep -qxF -- "$line" examples/embed/embed.c || printf '%s\n' "$line"
done <<<"$quoted")
if [ -z "$quoted" ]; then fail walk-through "no C excerpt in section 1 of spec/embedding.md"
elif [ -n "$stale" ]; then fail walk-through "spec/embedding.md quotes lines embed.c does not have" "$stale"
else pass
fi

# ---- the example and the checks, built as a host builds them ----------------------------

program=$scratch/onboarding.jbc
embed=$scratch/embed
built=true
if ! output=$("$build/journeyc" build -I stdlib examples/onboarding.journey -o "$program" 2>&1); then
    fail build "journeyc build examples/onboarding.journey" "$output"
    built=false
fi
if ! output=$(cc "${flags[@]}" -Iinclude -o "$embed" examples/embed/embed.c -L"$build" -ljourney 2>&1); then
    fail build "cc examples/embed/embed.c -ljourney" "$output"
    built=false
else pass
fi
if output=$(cc "${flags[@]}" -Iinclude -o "$scratch/post_json_checks" tests/embed/post_json_checks.c \
    -L"$build" -ljourney 2>&1); then
    if $built; then
        output=$("$scratch/post_json_checks" "$program" 2>&1)
        status=$?
        while IFS= read -r line; do
            case $line in
                ok\ *) pass ;;
                FAIL\ *) fail "post-json" "${line#FAIL }" ;;
            esac
        done <<<"$output"
        if [ $status -ne 0 ] && ! grep -q '^FAIL ' <<<"$output"; then
            fail post-json "post_json_checks exited with status $status" "$output"
        fi
    fi
else
    fail build "cc tests/embed/post_json_checks.c -ljourney" "$output"
fi
$built || { echo "embed: $passed passed, $failed failed"; exit 1; }

# ---- runs ---------------------------------------------------------------------------------

# run_embed NAME STATE INPUT [OPTION]: runs the example on INPUT; NAME.out, NAME.err and
# NAME.status in the scratch directory.
run_embed() {
    local name=$1 state=$2 input=$3
    shift 3
    "$embed" "$@" "$program" "$state" <"$input" >"$scratch/$name.out" 2>"$scratch/$name.err"
    echo $? >"$scratch/$name.status"
}

# expect_clean NAME: the run exited 0 and wrote nothing on standard error.
expect_clean() {
    local status
    status=$(cat "$scratch/$1.status")
    if [ "$status" != 0 ] || [ -s "$scratch/$1.err" ]; then
        fail "$1" "exit status $status" "$(cat "$scratch/$1.err")"
        return 1
    fi
}

# expect_union NAME FILE...: the files' lines, one after the other, are the reference.
expect_union() {
    local name=$1
    shift
    if cat "$@" | cmp -s - "$scratch/reference.out"; then pass
    else fail "$name" "the actions differ from the uninterrupted run's" "$(cat "$@" | diff - "$scratch/reference.out")"
    fi
}

# wait_for_lines FILE N: until FILE has N lines, at most 10 s.
wait_for_lines() {
    local tries=0
    while [ "$(wc -l <"$1")" -lt "$2" ] && [ $tries -lt 200 ]; do
        sleep 0.05
        tries=$((tries + 1))
    done
    [ "$(wc -l <"$1")" -ge "$2" ]
}

# stop_host SIGNAL: sends it to $host_pid and waits at most 5 s for the exit; the exit
# status is in $host_status (timeout: 124, and the host is killed).
stop_host() {
    kill -s "$1" "$host_pid"
    local tries=0
    while kill -0 "$host_pid" 2>/dev/null && [ $tries -lt 100 ]; do
        sleep 0.05
        tries=$((tries + 1))
    done
    if kill -0 "$host_pid" 2>/dev/null; then
        kill -KILL "$host_pid"
        wait "$host_pid" 2>/dev/null
        host_status=124
    else
        wait "$host_pid"
        host_status=$?
    fi
    host_pid=
}

# The reference: everything at once, then the horizon.
{ cat "$events"; echo "advance $horizon"; } >"$scratch/all.in"
head -n $split "$events" >"$scratch/first.in"
{ tail -n +$((split + 1)) "$events"; echo "advance $horizon"; } >"$scratch/rest.in"

run_embed reference "$scratch/reference.state" "$scratch/all.in"
"$build/journey" sim "$program" "$events" --until "$horizon" >"$scratch/sim.out" 2>/dev/null
if expect_clean reference; then
    if [ ! -s "$scratch/reference.out" ]; then fail reference "no actions at all"
    elif ! cmp -s "$scratch/reference.out" "$scratch/sim.out"; then
        fail reference "the actions differ from journey sim's" "$(diff "$scratch/reference.out" "$scratch/sim.out")"
    else pass
    fi
fi
if [ -s "$scratch/reference.state" ]; then pass; else fail reference "no state file at the end of the input"; fi

# ---- the command line ---------------------------------------------------------------------

if "$embed" --help | grep -q '^Usage: embed '; then pass; else fail usage "--help shows no usage"; fi
"$embed" >/dev/null 2>"$scratch/usage.err"
status=$?
if [ $status -eq 64 ] && grep -q "Try 'embed --help'" "$scratch/usage.err"; then pass
else fail usage "no arguments: status $status" "$(cat "$scratch/usage.err")"
fi
"$embed" --bogus "$program" "$scratch/x.state" </dev/null >/dev/null 2>&1
status=$?
if [ $status -eq 64 ]; then pass; else fail usage "an unknown option: status $status, expected 64"; fi

"$embed" "$scratch/missing.jbc" "$scratch/x.state" </dev/null >/dev/null 2>"$scratch/missing.err"
status=$?
if [ $status -eq 1 ] && grep -q "missing.jbc" "$scratch/missing.err" && [ ! -e "$scratch/x.state" ]; then pass
else fail usage "a missing program: status $status" "$(cat "$scratch/missing.err")"
fi

printf 'not a snapshot' >"$scratch/damaged.state"
run_embed damaged "$scratch/damaged.state" "$scratch/first.in"
if [ "$(cat "$scratch/damaged.status")" = 1 ] && grep -q "damaged.state" "$scratch/damaged.err" &&
    [ "$(cat "$scratch/damaged.state")" = "not a snapshot" ] && [ ! -s "$scratch/damaged.out" ]; then pass
else
    fail damaged-state "status $(cat "$scratch/damaged.status"), or the file was changed" \
        "$(cat "$scratch/damaged.err")"
fi

# A malformed line, a bad advance line and a line over the 4 MiB limit between good lines.
{
    sed -n 1,2p "$events"
    echo '{"type":"track","userId":'
    echo 'advance tomorrow'
    head -c $((5 * 1024 * 1024)) /dev/zero | tr '\0' x
    echo
    sed -n "3,${split}p" "$events"
} >"$scratch/bad.in"
run_embed bad "$scratch/bad.state" "$scratch/bad.in"
head -n $split "$events" >"$scratch/good.in"
run_embed good "$scratch/good.state" "$scratch/good.in"
if [ "$(cat "$scratch/bad.status")" = 0 ] && grep -q '^embed: standard input:3: ' "$scratch/bad.err" &&
    grep -q '^embed: standard input:4: .*ISO 8601' "$scratch/bad.err" &&
    grep -q '^embed: standard input:5: line longer than' "$scratch/bad.err" &&
    [ "$(wc -l <"$scratch/bad.err")" -eq 3 ] &&
    cmp -s "$scratch/bad.out" "$scratch/good.out"; then pass
else fail bad-lines "bad lines are reported by number and skipped, the rest applied" "$(cat "$scratch/bad.err")"
fi

# ---- stop at the end of the input, and restart ------------------------------------------

run_embed first "$scratch/restart.state" "$scratch/first.in"
run_embed rest "$scratch/restart.state" "$scratch/rest.in"
if expect_clean first && expect_clean rest; then expect_union restart "$scratch/first.out" "$scratch/rest.out"; fi

# ---- SIGTERM while waiting for input, in the middle of the journeys ----------------------

mkfifo "$scratch/pipe"
"$embed" "$program" "$scratch/term.state" <"$scratch/pipe" >"$scratch/term.out" 2>"$scratch/term.err" &
host_pid=$!
exec 3>"$scratch/pipe"
cat "$scratch/first.in" >&3
expected=$(wc -l <"$scratch/first.out")
if ! wait_for_lines "$scratch/term.out" "$expected"; then
    fail sigterm "the first events gave $(wc -l <"$scratch/term.out") actions, not $expected"
fi
sleep 0.2 # blocked on the open, empty pipe
stop_host TERM
exec 3>&-
if [ "$host_status" -ne 0 ]; then
    fail sigterm "exit status $host_status after SIGTERM (124: it did not stop within 5 s)" "$(cat "$scratch/term.err")"
elif [ ! -s "$scratch/term.state" ] || [ -e "$scratch/term.state.tmp" ]; then
    fail sigterm "no state file, or its .tmp left behind"
elif ! cmp -s "$scratch/term.out" "$scratch/first.out"; then
    fail sigterm "the actions before the stop differ" "$(diff "$scratch/term.out" "$scratch/first.out")"
else
    pass
    run_embed after-term "$scratch/term.state" "$scratch/rest.in"
    if expect_clean after-term; then
        expect_union sigterm-restart "$scratch/term.out" "$scratch/after-term.out"
        # The waits went on: contacts that signed up before the stop act after it.
        resumed=0
        for user in user-1 user-2 user-3 user-4; do
            grep -q "\"contact\":\"$user\"" "$scratch/after-term.out" && resumed=$((resumed + 1))
        done
        if [ $resumed -ge 3 ]; then pass
        else fail sigterm-waits "only $resumed of the 4 contacts that entered before the stop acted after it"
        fi
    fi
fi

# ---- SIGINT with no input at all ---------------------------------------------------------

rm -f "$scratch/pipe"
mkfifo "$scratch/pipe"
"$embed" "$program" "$scratch/int.state" <"$scratch/pipe" >"$scratch/int.out" 2>"$scratch/int.err" &
host_pid=$!
exec 3>"$scratch/pipe"
sleep 0.2
stop_host INT
exec 3>&-
run_embed after-int "$scratch/int.state" /dev/null
if [ "$host_status" -ne 0 ] || [ ! -s "$scratch/int.state" ]; then
    fail sigint "exit status $host_status, or no state file" "$(cat "$scratch/int.err")"
elif expect_clean after-int; then pass
fi

# ---- the wall clock ------------------------------------------------------------------------

# A sign-up three days ago, replayed on the virtual clock: only the welcome goes out.
# Restarted on the wall clock, the day's wait and the wait until 10:00 are over.
signed_up=$(date -u -d '-3 days' +%Y-%m-%dT%H:%M:%SZ)
{
    printf '{"type":"identify","userId":"user-1","traits":{"first_name":"Ada"},"timestamp":"%s"}\n' "$signed_up"
    printf '{"type":"track","userId":"user-1","event":"Signed Up","properties":{"plan":"pro"},"timestamp":"%s"}\n' \
        "$signed_up"
} >"$scratch/recent.in"
run_embed recent "$scratch/wall.state" "$scratch/recent.in"
rm -f "$scratch/pipe"
mkfifo "$scratch/pipe"
"$embed" --wall-clock "$program" "$scratch/wall.state" <"$scratch/pipe" >"$scratch/wall.out" 2>"$scratch/wall.err" &
host_pid=$!
exec 3>"$scratch/pipe"
wait_for_lines "$scratch/wall.out" 1
stop_host TERM
exec 3>&-
if expect_clean recent; then
    if [ "$host_status" -ne 0 ]; then fail wall-clock "exit status $host_status" "$(cat "$scratch/wall.err")"
    elif ! grep -q '"message":"welcome"' "$scratch/recent.out" ||
        grep -q '"message":"\(tips\|demo\)"' "$scratch/recent.out"; then
        fail wall-clock "the replay should send the welcome only" "$(cat "$scratch/recent.out")"
    elif ! grep -q '"message":"\(tips\|demo\)"' "$scratch/wall.out"; then
        fail wall-clock "the timers that came due did not fire" "$(cat "$scratch/wall.out" "$scratch/wall.err")"
    else pass
    fi
fi

# ---- make install, pkg-config, a host built from the installed files ---------------------

prefix=$scratch/prefix
make_flags=(PREFIX="$prefix" BUILD="${build#"$root"/}")
$sanitized && make_flags+=(SANITIZE=1)
# make TARGET with those variables, outside the make that may be running the tests (its
# jobserver is not ours), and without the package check the build already did.
run_make() {
    env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL JOURNEY_SKIP_DEPS=1 make --no-print-directory "$1" "${make_flags[@]}"
}
if ! output=$(run_make install 2>&1); then
    fail install "make install PREFIX=$prefix" "$output"
else
    missing=
    for file in include/journey.h lib/libjourney.a lib/libjourney.so.$version lib/libjourney.so.0 lib/libjourney.so \
        lib/pkgconfig/libjourney.pc; do
        [ -e "$prefix/$file" ] || missing="$missing $file"
    done
    if [ -n "$missing" ]; then fail install "not installed:$missing"; else pass; fi

    export PKG_CONFIG_PATH=$prefix/lib/pkgconfig
    if ! pkg_flags=$(pkg-config --cflags --libs libjourney 2>&1); then
        fail pkg-config "pkg-config --cflags --libs libjourney" "$pkg_flags"
    else
        # shellcheck disable=SC2086 # pkg-config's output is a list of words
        if ! output=$(cc "${flags[@]}" examples/embed/*.c $pkg_flags -o "$scratch/installed-embed" 2>&1); then
            fail pkg-config "cc examples/embed/*.c \$(pkg-config --cflags --libs libjourney)" "$output"
        else
            LD_LIBRARY_PATH=$prefix/lib "$scratch/installed-embed" "$program" "$scratch/installed.state" \
                <"$scratch/all.in" >"$scratch/installed.out" 2>"$scratch/installed.err"
            if ! cmp -s "$scratch/installed.out" "$scratch/reference.out"; then
                fail pkg-config "the installed host's actions differ" "$(cat "$scratch/installed.err")"
            elif ! LD_LIBRARY_PATH=$prefix/lib ldd "$scratch/installed-embed" |
                grep -q "libjourney.so.0 => $prefix/lib/"; then
                fail pkg-config "the host does not load the installed libjourney.so.0"
            else pass
            fi
        fi
        # The archive in place of -ljourney, which would take the shared library.
        static_flags=()
        for word in $(pkg-config --cflags libjourney) $(pkg-config --static --libs libjourney); do
            if [ "$word" = -ljourney ]; then static_flags+=(-l:libjourney.a); else static_flags+=("$word"); fi
        done
        if ! output=$(cc "${flags[@]}" examples/embed/*.c "${static_flags[@]}" \
            -o "$scratch/static-embed" 2>&1); then
            fail static "cc ... \$(pkg-config --static --libs libjourney), with libjourney.a" "$output"
        elif ldd "$scratch/static-embed" | grep -q libjourney; then
            fail static "linked with libjourney.so, not libjourney.a"
        else
            "$scratch/static-embed" "$program" "$scratch/static.state" <"$scratch/all.in" >"$scratch/static.out" 2>&1
            if cmp -s "$scratch/static.out" "$scratch/reference.out"; then pass
            else fail static "the statically linked host's actions differ"
            fi
        fi
    fi

    if ! output=$(run_make uninstall 2>&1); then
        fail uninstall "make uninstall PREFIX=$prefix" "$output"
    elif [ -n "$(find "$prefix" ! -type d)" ]; then
        fail uninstall "files left behind" "$(find "$prefix" ! -type d)"
    else pass
    fi
fi

echo "embed: $passed passed, $failed failed"
[ $failed -eq 0 ]
