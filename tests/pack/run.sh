#!/usr/bin/env bash
# tests/pack/run.sh BUILD: `journey pack` and packed event logs (.jev, spec/jev.md).
#
#   round trip   for every example with an event log and every tests/sim case, the log
#                is packed (with --on-bad-event=skip, so its bad lines are kept) and
#                `journey sim` from the .jev must print exactly what it prints from the
#                log: the same actions, the same stderr (the log's name aside) and the
#                same exit status, with the case's own arguments; and packing twice
#                must give the same bytes; so must `journey sim --threads 3` from the
#                .jev (spec/language.md 6.16). Only a case whose simulation is expected to
#                fail (its program does not load) may fail to pack, and as sim fails.
#   inputs       several logs merged by time with bad lines among them (skip and stop),
#                equal times in two logs, CSV, gzip, a .jev beside a JSON Lines log,
#                standard input (a file and a pipe)
#   fidelity     tests/pack/jev_fidelity.c: what the writer and the reader make of
#                these logs is what the readers gave, field by field
#   refusals     a .jev packed for another program, truncated, damaged, of another
#                version, with bytes after its end, and hand-made files with a valid
#                CRC that break one rule of spec/jev.md each (tests/pack/crafted.journey
#                is their program), each with its message
#   the command  usage errors, a stop at a bad line leaving no file, --help
#
# Ends with one line "pack: N passed, N failed"; exits 1 if a check failed.
set -u
build=${1:?usage: run.sh BUILD}
case $build in /*) ;; *) build=$PWD/$build ;; esac
journey=$build/journey
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root" || exit 2
passed=0
failed=0
scratch=$(mktemp -d "${TMPDIR:-/tmp}/journey-pack.XXXXXX") || exit 2
trap 'rm -rf "$scratch"' EXIT

pass() { passed=$((passed + 1)); }
fail() {
    failed=$((failed + 1))
    printf 'FAIL %s: %s\n' "$1" "$2"
    [ -n "${3:-}" ] && printf '%s\n' "$3" | sed 's/^/    /'
}

# Reads the one-line file $1 (a path relative to the root), without its newline.
read_path() { head -n 1 "$1" | tr -d '\r\n'; }

# The file $1 with every occurrence of the words after it replaced by LOG.
masked() {
    local text
    text=$(cat "$1")
    shift
    for name in "$@"; do text=${text//"$name"/LOG}; done
    printf '%s\n' "$text"
}

# sim PREFIX ARGS...: runs journey sim, leaving PREFIX.out, PREFIX.err, PREFIX.status.
sim() {
    local prefix=$1
    shift
    "$journey" sim "$@" >"$prefix.out" 2>"$prefix.err"
    echo $? >"$prefix.status"
}

# same NAME A B NAMES...: A.* and B.* (from sim) agree; NAMES are masked in stderr.
same() {
    local name=$1 a=$2 b=$3
    shift 3
    local detail=
    cmp -s "$a.out" "$b.out" || detail+=$(diff -u --label from-logs --label from-jev "$a.out" "$b.out" | head -n 20)$'\n'
    if [ "$(masked "$a.err" "$@")" != "$(masked "$b.err" "$@")" ]; then
        detail+=$(diff -u --label from-logs --label from-jev <(masked "$a.err" "$@") <(masked "$b.err" "$@") | head -n 20)
    fi
    cmp -s "$a.status" "$b.status" || detail+="exit status $(cat "$a.status") from the logs, $(cat "$b.status") from the .jev"
    if [ -n "$detail" ]; then fail "$name" "sim from the .jev differs" "$detail"; else pass; fi
}

# ---- round trip: every example and every golden simulation --------------------------

# round_trip NAME EXPECTED_STATUS PROGRAM EVENTS ARGS...: packs EVENTS, then compares
# the simulations. Only a case whose simulation is expected to fail may fail to pack.
round_trip() {
    local name=$1 expected=$2 program=$3 events=$4
    shift 4
    local work=$scratch/cases/$name
    mkdir -p "$work"
    local pack_args=() argument
    for argument in "$@"; do
        case $argument in --allow-native=* | --native-dir=*) pack_args+=("$argument") ;; esac
    done
    "$journey" pack "$program" "$events" -o "$work/a.jev" --on-bad-event=skip --quiet "${pack_args[@]}" \
        2>"$work/pack.err"
    local status=$?
    sim "$work/logs" "$program" "$events" "$@"
    if [ $status -ne 0 ]; then
        # Only a program that does not load may stop pack, and then sim the same way.
        if [ "$expected" = 0 ] || [ "$status" != "$(cat "$work/logs.status")" ] ||
            [ "$(sed 's/^journey pack: /journey: /' "$work/pack.err")" != "$(cat "$work/logs.err")" ]; then
            fail "$name" "pack failed (exit $status) where sim did not fail the same way" "$(cat "$work/pack.err")"
        else
            pass
        fi
        return
    fi
    sim "$work/jev" "$program" "$work/a.jev" "$@"
    same "$name" "$work/logs" "$work/jev" "$events" "$work/a.jev"
    sim "$work/jev-threads" "$program" "$work/a.jev" "$@" --threads 3
    same "$name, --threads 3" "$work/logs" "$work/jev-threads" "$events" "$work/a.jev"
    "$journey" pack "$program" "$events" -o "$work/b.jev" --on-bad-event=skip --quiet "${pack_args[@]}" 2>/dev/null
    if cmp -s "$work/a.jev" "$work/b.jev"; then pass; else fail "$name" "packing twice gives different bytes"; fi
}

for events in examples/*.events.jsonl; do
    name=${events#examples/}
    name=${name%.events.jsonl}
    round_trip "example-$name" 0 "examples/$name.journey" "$events" --until +30d
done

while IFS= read -r dir; do
    name=${dir#tests/sim/}
    if [ -f "$dir/program.journey" ]; then program=$dir/program.journey
    elif [ -f "$dir/program" ]; then program=$(read_path "$dir/program")
    else continue
    fi
    if [ -x "$dir/generate" ]; then
        mkdir -p "$scratch/generated/$name"
        events=$scratch/generated/$name/events.jsonl
        if ! "$dir/generate" "$events"; then fail "sim-$name" "generate failed"; continue; fi
    elif [ -f "$dir/events.jsonl" ]; then events=$dir/events.jsonl
    elif [ -f "$dir/events" ]; then events=$(read_path "$dir/events")
    else continue
    fi
    args=()
    [ -f "$dir/args" ] && read -r -a args <"$dir/args"
    expected=0
    [ -f "$dir/expected.status" ] && expected=$(tr -d ' \r\n' <"$dir/expected.status")
    round_trip "sim-$name" "$expected" "$program" "$events" "${args[@]}"
done < <(LC_ALL=C find tests/sim -mindepth 1 -maxdepth 1 -type d | LC_ALL=C sort)

# ---- inputs: merged logs with bad lines, CSV, gzip, a .jev among logs, stdin ---------

work=$scratch/inputs
mkdir -p "$work"
program=examples/onboarding.journey
# Two halves of the onboarding log, each with bad lines of its own.
awk 'NR % 2 == 1' examples/onboarding.events.jsonl >"$work/odd.jsonl"
awk 'NR % 2 == 0' examples/onboarding.events.jsonl >"$work/even.jsonl"
awk 'NR == 3 { print "{\"type\":\"track\"" } NR == 40 { print "not json" } { print }' "$work/odd.jsonl" >"$work/odd-bad.jsonl"
awk 'NR == 1 { print "{\"type\":\"alias\",\"userId\":\"z\",\"timestamp\":\"2026-03-02T00:00:00Z\"}" }
     NR == 20 { print "[]" } { print }' "$work/even.jsonl" >"$work/even-bad.jsonl"
logs=("$work/odd-bad.jsonl" "$work/even-bad.jsonl")
if "$journey" pack "$program" "${logs[@]}" -o "$work/merged.jev" --on-bad-event=skip --quiet 2>"$work/pack.err"; then
    pass
    for mode in skip stop; do
        sim "$work/logs-$mode" "$program" "${logs[@]}" --until +30d --on-bad-event=$mode
        sim "$work/jev-$mode" "$program" "$work/merged.jev" --until +30d --on-bad-event=$mode
        same "merged logs with bad lines, --on-bad-event=$mode" "$work/logs-$mode" "$work/jev-$mode" \
            "${logs[@]}" "$work/merged.jev"
        sim "$work/jev-threads-$mode" "$program" "$work/merged.jev" --until +30d --on-bad-event=$mode --threads 2
        same "merged logs with bad lines, --on-bad-event=$mode, --threads 2" "$work/logs-$mode" \
            "$work/jev-threads-$mode" "${logs[@]}" "$work/merged.jev"
    done
else
    fail "merged logs" "pack failed" "$(cat "$work/pack.err")"
fi
# pack reports each bad line as sim does
if [ "$(masked "$work/pack.err" "${logs[@]}")" = "$(grep ': error: ' "$work/logs-skip.err" | masked /dev/stdin "${logs[@]}")" ]; then
    pass
else
    fail "merged logs" "pack does not report the bad lines as sim does" "$(cat "$work/pack.err")"
fi

# Equal times in two logs: the log named first goes first, in sim and in pack alike.
for contact in ann bob; do
    for minute in 00 00 01; do
        printf '{"type":"track","event":"Signed Up","userId":"%s-%s","timestamp":"2027-01-15T08:%s:00Z",%s}\n' \
            "$contact" "$minute" "$minute" \
            '"properties":{"plan":"p","trial":false,"seats":1,"at":"2027-01-01T00:00:00Z","length":60}'
    done >"$work/ties-$contact.jsonl"
done
ties=("$work/ties-ann.jsonl" "$work/ties-bob.jsonl")
"$journey" pack tests/pack/crafted.journey "${ties[@]}" -o "$work/ties.jev" --quiet
sim "$work/ties-logs" tests/pack/crafted.journey "${ties[@]}"
sim "$work/ties-jev" tests/pack/crafted.journey "$work/ties.jev"
same "equal times in two logs" "$work/ties-logs" "$work/ties-jev" "${ties[@]}" "$work/ties.jev"

# A .jev beside a JSON Lines log: read as the log it was packed from.
"$journey" pack "$program" "$work/odd.jsonl" -o "$work/odd.jev" --quiet
sim "$work/mixed-logs" "$program" "$work/odd.jsonl" "$work/even.jsonl" --until +30d
sim "$work/mixed-jev" "$program" "$work/odd.jev" "$work/even.jsonl" --until +30d
same "a .jev beside a JSON Lines log" "$work/mixed-logs" "$work/mixed-jev" "$work/odd.jsonl" "$work/odd.jev"

# CSV, and gzip-compressed JSON Lines
cat >"$work/crafted.csv" <<'EOF'
type,event,userId,anonymousId,timestamp,messageId,plan,trial,seats,at,length,traits.plan,traits.vip
identify,,ann,,2027-01-15T08:00:00Z,m0,,,,,,pro,true
track,Signed Up,ann,,2027-01-15T09:00:00Z,m1,pro,TRUE,3,2027-01-01T00:00:00Z,90,,
track,Signed Up,,anon-1,2027-01-15T09:30:00Z,,free,0,x,,1.5,,
track,Signed Up,bob,,2027-01-15T10:00:00Z,m1,pro,1,2,,,,
track,Other,bob,,2027-01-15T10:05:00Z,m9,,,,,,,
EOF
"$journey" pack tests/pack/crafted.journey "$work/crafted.csv" -o "$work/csv.jev" --quiet
sim "$work/csv-log" tests/pack/crafted.journey "$work/crafted.csv"
sim "$work/csv-jev" tests/pack/crafted.journey "$work/csv.jev"
same "CSV" "$work/csv-log" "$work/csv-jev" "$work/crafted.csv" "$work/csv.jev"
gzip -c -n examples/webinar.events.jsonl >"$work/webinar.jsonl.gz"
"$journey" pack examples/webinar.journey "$work/webinar.jsonl.gz" -o "$work/webinar.jev" --quiet
sim "$work/gzip-log" examples/webinar.journey "$work/webinar.jsonl.gz" --until +7d
sim "$work/gzip-jev" examples/webinar.journey "$work/webinar.jev" --until +7d
same "gzip" "$work/gzip-log" "$work/gzip-jev" "$work/webinar.jsonl.gz" "$work/webinar.jev"

# Standard input: a redirected file (mapped) and a pipe (read to its end). Bad lines
# are reported as "-:LINE: error: ...".
sim "$work/stdin-file" "$program" - --until +30d --on-bad-event=skip <"$work/merged.jev"
sed -i 's/^-:\([0-9]\)/LOG:\1/' "$work/stdin-file.err"
same "standard input, a file" "$work/logs-skip" "$work/stdin-file" "${logs[@]}"
# shellcheck disable=SC2002 # a pipe, not a file, is the point
cat "$work/merged.jev" | "$journey" sim "$program" - --until +30d --on-bad-event=skip \
    >"$work/stdin-pipe.out" 2>"$work/stdin-pipe.err"
echo $? >"$work/stdin-pipe.status"
sed -i 's/^-:\([0-9]\)/LOG:\1/' "$work/stdin-pipe.err"
same "standard input, a pipe" "$work/logs-skip" "$work/stdin-pipe" "${logs[@]}"

# ---- fidelity: every field of every event, through the writer and the reader --------

# tests/pack/jev_fidelity.c, built against BUILD's library (with the sanitizers when the
# library has them), packs logs and compares what reads back with what the readers gave,
# field by field: the anonymous flag and the line numbers too, which no simulation shows.
library=$build/libjourney.a
flags=(-std=c17 -Wall -Wextra -Werror -g -O1 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE)
if nm "$library" 2>/dev/null | grep -q __asan; then
    # shellcheck disable=SC2054 # the commas belong to the option
    flags+=(-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer)
fi
fidelity=$scratch/jev_fidelity
# fidelity_check NAME PROGRAM.journey LOG...: packs the logs for the program, compares.
fidelity_check() {
    local name=$1 source=$2 output
    shift 2
    if ! output=$("$build/journeyc" build -I stdlib "$source" -o "$scratch/fidelity.jbc" 2>&1); then
        fail "fidelity: $name" "journeyc build $source failed" "$output"
        return
    fi
    output=$("$fidelity" "$scratch/fidelity.jbc" "$scratch/fidelity.jev" "$@" 2>&1)
    case $output in
        ok:*) pass ;;
        *) fail "fidelity: $name" "the .jev does not read back as the logs did" "$output" ;;
    esac
}
if output=$(cc "${flags[@]}" -Iinclude -Icli -o "$fidelity" tests/pack/jev_fidelity.c cli/jev_writer.c \
    cli/event_merge.c "$library" -lsimdjson -lz -lm -lstdc++ -lffi -ldl 2>&1); then
    pass
    for events in examples/*.events.jsonl; do
        name=${events#examples/}
        name=${name%.events.jsonl}
        fidelity_check "example $name" "examples/$name.journey" "$events"
    done
    while IFS= read -r dir; do
        if [ ! -f "$dir/program.journey" ] || [ ! -f "$dir/events.jsonl" ]; then continue; fi
        grep -q 'extern "' "$dir/program.journey" && continue # needs its native library to load
        fidelity_check "${dir#tests/sim/}" "$dir/program.journey" "$dir/events.jsonl"
    done < <(LC_ALL=C find tests/sim -mindepth 1 -maxdepth 1 -type d | LC_ALL=C sort)
    fidelity_check "merged logs with bad lines" "$program" "${logs[@]}"
    fidelity_check CSV tests/pack/crafted.journey "$work/crafted.csv"
    fidelity_check gzip examples/webinar.journey "$work/webinar.jsonl.gz"
else
    fail fidelity "cannot build tests/pack/jev_fidelity.c" "$output"
fi

# ---- refusals ---------------------------------------------------------------------------

# refused NAME FILE PROGRAM MESSAGE: sim refuses FILE with exit 1 and MESSAGE.
refused() {
    local name=$1 file=$2 program=$3 message=$4
    sim "$scratch/refused" "$program" "$file"
    if [ "$(cat "$scratch/refused.status")" != 1 ]; then
        fail "$name" "sim accepted it (exit $(cat "$scratch/refused.status"))" "$(cat "$scratch/refused.err")"
    elif ! grep -F -- "journey: $file: " "$scratch/refused.err" | grep -qF -- "$message"; then
        fail "$name" "expected the message: $message" "$(cat "$scratch/refused.err")"
    else
        pass
    fi
}

# The file $1 with a CRC that matches its content again (gzip's trailer holds it).
fix_crc() {
    local body=$scratch/body
    head -c -4 "$1" >"$body"
    { cat "$body"; gzip -c -n <"$body" | tail -c 8 | head -c 4; } >"$1"
}

# Writes byte $3 (decimal) at offset $2 of file $1.
poke() { printf '%b' "\\x$(printf %02x "$3")" | dd of="$1" bs=1 seek="$2" conv=notrunc status=none; }

good=$work/odd.jev
size=$(stat -c %s "$good")
refused "another program" "$good" examples/abandoned_cart.journey "packed for another program: pack again"
head -c $((size - 100)) "$good" >"$work/truncated.jev"
refused "truncated" "$work/truncated.jev" "$program" \
    "truncated: $((size - 100)) bytes, but the header describes $size"
head -c 30 "$good" >"$work/short.jev"
refused "truncated in its header" "$work/short.jev" "$program" \
    "truncated: 30 bytes, fewer than a header and a checksum (60)"
cp "$good" "$work/damaged.jev"
poke "$work/damaged.jev" 100 $(($(od -An -tu1 -j100 -N1 "$good") ^ 1))
refused "damaged" "$work/damaged.jev" "$program" "checksum mismatch: the file is damaged"
cp "$good" "$work/version.jev"
poke "$work/version.jev" 8 9
fix_crc "$work/version.jev"
refused "another version" "$work/version.jev" "$program" \
    "packed event log format 9 is not supported (this runtime reads 1): pack it again"
{ head -c -4 "$good"; printf 'xx'; tail -c 4 "$good"; } >"$work/longer.jev"
refused "bytes after the end" "$work/longer.jev" "$program" \
    "2 bytes after the end the header describes ($size bytes)"

# ---- hand-made files, for tests/pack/crafted.journey --------------------------------

crafted=tests/pack/crafted.journey
# The fingerprint of its schema, from a .jev of an empty log.
: >"$work/empty.jsonl"
"$journey" pack "$crafted" "$work/empty.jsonl" -o "$work/empty.jev" --quiet
read -r -a fingerprint <<<"$(od -An -tu1 -j16 -N8 "$work/empty.jev")"

# bytes N...: the bytes of the decimal values N.
bytes() { local b; for b in "$@"; do printf '%b' "\\x$(printf %02x "$b")"; done; }
# le N WIDTH: N as WIDTH little-endian bytes.
le() { local i; for ((i = 0; i < $2; i++)); do bytes $((($1 >> (8 * i)) & 255)); done; }
# varint N: N as an unsigned LEB128 (N below 2^63).
varint() {
    local n=$1
    while [ "$n" -ge 128 ]; do bytes $(((n & 127) | 128)); n=$((n >> 7)); done
    bytes "$n"
}
zigzag() { varint $(($1 >= 0 ? 2 * $1 : -2 * $1 - 1)); }
# text STRING: a string written in a record, its length then its bytes (printf %b).
text() { printf '%b' "$1" >"$scratch/text"; varint "$(stat -c %s "$scratch/text")"; cat "$scratch/text"; }

# craft FILE RECORDS EVENTS RECORD_BYTES_FILE STRINGS: a .jev with these records and
# strings (printf %b) and a valid CRC.
craft() {
    local file=$1 records=$2 events=$3 body=$4
    printf '%b' "$5" >"$scratch/strings"
    {
        printf '\x89JEV\r\n\x1a\n'
        le 1 4; le 0 4
        bytes "${fingerprint[@]}"
        le "$records" 8; le "$events" 8; le "$(stat -c %s "$body")" 8; le "$(stat -c %s "$scratch/strings")" 8
        cat "$body" "$scratch/strings"
        le 0 4
    } >"$file"
    fix_crc "$file"
}

# The start of a track call of crafted.journey at 2027-01-15T08:00:00Z + $1 ms, line
# $2 after the record before, by contact $3 with messageId $4.
time0=1800000000000
record_file=$scratch/records
track() { bytes 0; zigzag "$1"; zigzag "$2"; text "$3"; text "$4"; }
# Its five properties: plan "pro" (the strings' first 3 bytes), trial true, seats 3,
# at time0, length 90 s.
properties() {
    varint 5
    varint 0; varint 0; varint 3
    varint 1; bytes 1
    varint 2; le 4613937818241073152 8
    varint 3; zigzag $time0
    varint 4; zigzag 90000
}

{ track $time0 1 ann m1; varint 1; varint 0; properties; varint 0; } >"$record_file"
craft "$work/crafted.jev" 1 1 "$record_file" pro
printf '%s\n' '{"type":"track","event":"Signed Up","userId":"ann","timestamp":"2027-01-15T08:00:00Z","messageId":"m1","properties":{"plan":"pro","trial":true,"seats":3,"at":"2027-01-15T08:00:00Z","length":90}}' \
    >"$work/crafted.jsonl"
sim "$work/crafted-log" "$crafted" "$work/crafted.jsonl"
sim "$work/crafted-jev" "$crafted" "$work/crafted.jev"
same "a hand-made .jev" "$work/crafted-log" "$work/crafted-jev" "$work/crafted.jsonl" "$work/crafted.jev"

# An identify call with a trait and a null one, a bad line, then the event: sim reads all.
{
    bytes 1; zigzag $time0; zigzag 1; text ann; text ''; varint 0; varint 0; varint 0
    varint 2; varint 0; varint 0; varint 3; varint 3
    bytes 3; zigzag 1; text 'bad thing'
    track 0 1 ann m1; varint 1; varint 0; properties; varint 0
} >"$record_file"
craft "$work/identify.jev" 3 2 "$record_file" pro
sim "$work/identify" "$crafted" "$work/identify.jev" --on-bad-event=skip
if [ "$(cat "$work/identify.status")" = 0 ] && grep -q '"known":"pro"' "$work/identify.out" &&
    grep -q "identify.jev:2: error: bad thing" "$work/identify.err"; then
    pass
else
    fail "identify and a bad line" "not read as written" "$(cat "$work/identify.out" "$work/identify.err")"
fi

# broken NAME MESSAGE RECORDS EVENTS STRINGS: the records in $record_file break a rule.
broken() {
    craft "$work/broken.jev" "$3" "$4" "$record_file" "$5"
    refused "hand-made: $1" "$work/broken.jev" "$crafted" "$2"
}

{ track $time0 1 ann m1; varint 1; varint 0; varint 1; varint 0; varint 7; varint 3; varint 0; } >"$record_file"
broken "string out of range" "record 1 (byte 56): string value at 7, 3 bytes, outside the 3 bytes of strings" 1 1 pro
{ track $time0 1 ann m1; varint 1; varint 0; varint 1; varint 0; varint 0; varint 3; varint 0; } >"$record_file"
broken "counts" "the records hold 1 events and 0 bad lines, the header says 1 and 1" 2 1 pro
{ track $time0 1 ann m1; varint 1; varint 0; varint 1; varint 0; varint 1; varint 1; varint 0; } >"$record_file"
broken "a string cutting a character" "string value at 1, 1 bytes, cuts a UTF-8 character" 1 1 '\xc3\xa9'
broken "strings not UTF-8" "the strings are not valid UTF-8" 1 1 '\xff\xfe'
{ bytes 8; } >"$record_file"
broken "unknown record byte" "record 1 (byte 56): unknown record byte 0x08" 1 1 ''
{ track $time0 1 ann m1; varint 5; varint 0; varint 0; varint 0; } >"$record_file"
broken "event out of range" "event 4 is not an event of the program (which declares 1)" 1 1 ''
{ track $time0 1 ann m1; varint 1; varint 0; varint 2; varint 0; varint 0; varint 3; varint 0; varint 0; varint 3
    varint 0; } >"$record_file"
broken "a field twice" 'field "plan" given twice' 1 1 pro
{ track 300000000000000 1 ann m1; varint 1; varint 0; varint 0; varint 0; } >"$record_file"
broken "timestamp out of range" "timestamp 300000000000000 is outside the years 0001 to 9999" 1 1 ''
{ track $time0 1 ann m1; varint 1; varint 0; varint 1; varint 1; bytes 2; varint 0; } >"$record_file"
broken "bool neither 0 nor 1" "bool value 2 is neither 0 nor 1" 1 1 ''
{ track $time0 1 '' m1; varint 1; varint 0; varint 0; varint 0; } >"$record_file"
broken "an empty contact id" "an empty contact id" 1 1 ''
{ track $time0 1 ann '\xff'; varint 1; varint 0; varint 0; varint 0; } >"$record_file"
broken "a messageId not UTF-8" "a messageId that is not UTF-8" 1 1 ''
{ track $time0 1 ann m1; bytes 255 255 255 255 255 255 255 255 255 255 1; } >"$record_file"
broken "varint overflow" "a malformed varint" 1 1 ''
{ track $time0 1 ann m1; varint 1; varint 0; varint 0; varint 1; varint 0; varint 0; varint 3; } >"$record_file"
broken "traits on a track call" "traits on a track or page call" 1 1 pro
{ track $time0 1 ann m1; varint 1; varint 0; varint 0; } >"$record_file"
broken "a record cut short" "a malformed varint" 1 1 ''
{ bytes 3; zigzag 1; text 'a\0b'; } >"$record_file"
broken "a NUL in a bad line's message" "a bad line's message holds a NUL byte" 1 0 ''

# ---- the command ----------------------------------------------------------------------

# usage NAME STATUS MESSAGE ARGS...: journey pack ARGS exits STATUS with MESSAGE on stderr.
usage() {
    local name=$1 want=$2 message=$3
    shift 3
    "$journey" pack "$@" >"$scratch/usage.out" 2>"$scratch/usage.err"
    local status=$?
    if [ $status -ne "$want" ]; then
        fail "pack: $name" "exit $status, expected $want" "$(cat "$scratch/usage.err")"
    elif ! grep -qF -- "$message" "$scratch/usage.err" "$scratch/usage.out"; then
        fail "pack: $name" "expected: $message" "$(cat "$scratch/usage.out" "$scratch/usage.err")"
    else
        pass
    fi
}
usage "no -o" 64 "pack needs -o FILE" "$program" examples/onboarding.events.jsonl
usage "no log" 64 "pack needs a PROGRAM and at least one EVENTS log" "$program" -o "$work/x.jev"
usage "stdout" 64 "not standard output" "$program" examples/onboarding.events.jsonl -o -
usage "unknown option" 64 "unknown option '--fast'" "$program" examples/onboarding.events.jsonl --fast
usage "bad --on-bad-event" 64 "--on-bad-event takes stop or skip" "$program" examples/onboarding.events.jsonl \
    --on-bad-event=maybe -o "$work/x.jev"
usage "--help" 0 "Usage: journey pack PROGRAM EVENTS... -o FILE.jev" --help
usage "missing log" 1 "journey pack: $work/none.jsonl: " "$program" "$work/none.jsonl" -o "$work/x.jev"
usage "a bad line stops" 1 "journey pack: stopped at a malformed line, nothing written" "$program" \
    "$work/odd-bad.jsonl" -o "$work/stopped.jev"
if [ ! -e "$work/stopped.jev" ] && [ -z "$(find "$work" -name '*.tmp*')" ]; then
    pass
else
    fail "pack: a bad line stops" "a file was left behind" "$(ls "$work")"
fi
usage "summary" 0 "packed 63 events (3 undeclared) and 2 bad lines from 1 log into $work/summary.jev" \
    "$program" "$work/odd-bad.jsonl" -o "$work/summary.jev" --on-bad-event=skip

echo "pack: $passed passed, $failed failed"
[ $failed -eq 0 ]
