#!/usr/bin/env bash
# tests/sink/run.sh BUILD_DIR: journey run's action sinks (cli/action_sink.c,
# spec/sinks.md), driven by BUILD_DIR/tests/sink_harness, with
# BUILD_DIR/tests/webhook_server as the webhook's receiver.
#
#   usage        both programs' --help (0) and usage errors (64)
#   file         records appended as lines, only at a flush; an existing file kept
#   torn         a last line without a line break is cut off when the file is opened
#                (short, longer than a read chunk, the whole file, nothing to cut)
#   durability   through a FIFO: a flushed record is in the file while the harness still
#                runs, an unflushed one is not, and after SIGKILL the file ends cleanly;
#                a second sink on the same file is refused while the first holds it
#   cut-back     a flush that fails part-way (ulimit -f) leaves the file as the last
#                flush left it, and the next flush works; /dev/full fails cleanly
#   stdout       '-' to a file, to a pipe, and to a closed pipe (EPIPE: a failed flush
#                and exit 1, not death by SIGPIPE); a line torn by a failed flush is
#                ended by the next flush
#   webhook      bodies as sent; the headers (Idempotency-Key, Content-Type, User-Agent,
#                extra ones); statuses classified (2xx delivered; 408, 429, 5xx retry;
#                3xx, 4xx rejected), redirects not followed; connection refused, an
#                unknown host and a timeout are retries; one connection kept alive for
#                every request; a large body (no Expect); a long answer read and dropped;
#                a receiver failing the first attempts; bad URLs and headers refused at
#                open
#   server       webhook_server's own answers to a GET, a long body, a body with a line
#                break, and a POST without a key (with curl)
#
# Ends with one line "sink: N passed, N failed"; exits 1 if anything failed.
set -u
build=${1:?usage: run.sh BUILD_DIR}
case $build in /*) ;; *) build=$PWD/$build ;; esac
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root" || exit 2
harness=$build/tests/sink_harness
server=$build/tests/webhook_server
passed=0
failed=0
scratch=$(mktemp -d "${TMPDIR:-/tmp}/journey-sink.XXXXXX") || exit 2
server_pid=
harness_pid=
cleanup() {
    [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null
    [ -n "$harness_pid" ] && kill -KILL "$harness_pid" 2>/dev/null
    rm -rf "$scratch"
}
trap cleanup EXIT
# The webhooks are on 127.0.0.1: no proxy from the environment may come between.
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY no_proxy NO_PROXY

fail() {
    failed=$((failed + 1))
    printf 'FAIL %s: %s\n' "$1" "$2"
    [ -n "${3:-}" ] && printf '%s\n' "$3" | head -n 30 | sed 's/^/    /'
}
pass() { passed=$((passed + 1)); }

# check NAME EXPECTED ACTUAL: passes when the two texts are equal, else shows a diff.
check() {
    if [ "$2" == "$3" ]; then pass
    else fail "$1" "unexpected output" "$(diff -u --label expected --label actual <(printf '%s\n' "$2") \
        <(printf '%s\n' "$3"))"
    fi
}

# wait_for_line FILE LINE: waits (5 s at most) until FILE holds the line LINE.
wait_for_line() {
    for _ in $(seq 100); do
        grep -qxF -- "$2" "$1" 2>/dev/null && return 0
        sleep 0.05
    done
    return 1
}

# start_server NAME OPTION...: a webhook receiver writing $scratch/NAME.posts; sets
# server_pid and port (empty when it did not start).
start_server() {
    local name=$1
    shift
    port=
    "$server" "$scratch/$name.posts" "$@" >"$scratch/$name.port" 2>"$scratch/$name.server-errors" &
    server_pid=$!
    for _ in $(seq 100); do
        port=$(head -n 1 "$scratch/$name.port")
        [ -n "$port" ] && return 0
        kill -0 "$server_pid" 2>/dev/null || break
        sleep 0.05
    done
    fail "$name" "webhook_server did not start" "$(cat "$scratch/$name.server-errors")"
    return 1
}

# stop_server NAME: SIGTERM; the receiver must exit 0.
stop_server() {
    kill -TERM "$server_pid"
    wait "$server_pid"
    local status=$?
    server_pid=
    if [ $status -ne 0 ]; then
        fail "$1" "webhook_server exited with status $status after SIGTERM" "$(cat "$scratch/$1.server-errors")"
    fi
}

for program in "$harness" "$server"; do
    if [ ! -x "$program" ]; then
        echo "missing $program (run make first)"
        echo "sink: 0 passed, 1 failed"
        exit 1
    fi
done
version=$(sed -nE 's/^VERSION *:= *//p' Makefile)
tab=$'\t'

# ---- usage --------------------------------------------------------------------------

for program in "$harness" "$server"; do
    name=$(basename "$program")
    if ! "$program" --help | grep -q "^Usage: $name"; then fail usage "$name --help prints no usage"
    else pass
    fi
    "$program" --no-such-option x >/dev/null 2>&1
    status=$?
    if [ $status -ne 64 ]; then fail usage "$name --no-such-option: status $status, expected 64"; else pass; fi
done
"$harness" </dev/null >/dev/null 2>&1
status=$?
if [ $status -ne 64 ]; then fail usage "sink_harness without TARGET: status $status, expected 64"; else pass; fi

# ---- files --------------------------------------------------------------------------

file=$scratch/actions.jsonl
printf '{"old":true}\n' >"$file"
results=$(printf 'k1\t{"a":1}\nk2\t{"b":"x y"}\n\nk3\t{"c":3}\n' | "$harness" "$file")
check file-results "delivered k1
delivered k2
flushed
delivered k3
flushed" "$results"
check file-content '{"old":true}
{"a":1}
{"b":"x y"}
{"c":3}' "$(cat "$file")"
# A new file: created with mode 0644 (less what the umask takes away).
(umask 022 && printf 'k\t{}\n' | "$harness" "$scratch/new.jsonl" >/dev/null)
check file-created "644 {}" "$(stat -c %a "$scratch/new.jsonl") $(cat "$scratch/new.jsonl")"
output=$("$harness" "$scratch/no/such/dir/actions.jsonl" </dev/null 2>&1)
status=$?
if [ $status -ne 1 ] || [[ $output != *"cannot open '$scratch/no/such/dir/actions.jsonl': No such file"* ]]; then
    fail file-missing-directory "status $status, expected 1 and a message naming the file" "$output"
else pass
fi

# ---- torn last lines ------------------------------------------------------------------

# torn NAME CONTENT EXPECTED: a file holding CONTENT, opened and given one record.
torn() {
    local path=$scratch/torn-$1.jsonl
    printf '%s' "$2" >"$path"
    printf 'k\t{"new":1}\n' | "$harness" "$path" >/dev/null
    check "torn-$1" "$3" "$(cat "$path"; echo "|end")"
}
torn short $'{"x":1}\n{"tor' $'{"x":1}\n{"new":1}\n|end'
torn only-line '{"never":"finished"' $'{"new":1}\n|end'
torn clean $'{"x":1}\n{"y":2}\n' $'{"x":1}\n{"y":2}\n{"new":1}\n|end'
torn empty '' $'{"new":1}\n|end'
long_tail=$(printf '{"pad":"%09000d' 0)
torn long $'{"x":1}\n'"$long_tail" $'{"x":1}\n{"new":1}\n|end'
# Opening alone repairs: nothing delivered, the torn line still goes.
printf '{"x":1}\n{"half' >"$scratch/torn-open.jsonl"
"$harness" "$scratch/torn-open.jsonl" </dev/null >/dev/null
check torn-on-open '{"x":1}' "$(cat "$scratch/torn-open.jsonl")"

# ---- durability: what a flush leaves in the file, seen while the harness runs --------

file=$scratch/durable.jsonl
mkfifo "$scratch/durable.in"
"$harness" "$file" --results "$scratch/durable.results" <"$scratch/durable.in" &
harness_pid=$!
exec 4>"$scratch/durable.in"
printf 'k1\t{"a":1}\n\n' >&4
if ! wait_for_line "$scratch/durable.results" flushed; then
    fail durability "no 'flushed' from the harness" "$(cat "$scratch/durable.results")"
else
    check durability-after-flush '{"a":1}' "$(cat "$file")"
    printf 'k2\t{"b":2}\n' >&4
    wait_for_line "$scratch/durable.results" "delivered k2"
    check durability-before-flush '{"a":1}' "$(cat "$file")"
    output=$(printf 'k3\t{}\n' | "$harness" "$file" 2>&1)
    status=$?
    if [ $status -ne 1 ] || [[ $output != *"is in use by another process"* ]]; then
        fail durability-lock "a second sink on the file: status $status, expected 1 and 'in use'" "$output"
    else pass
    fi
    kill -KILL "$harness_pid"
    wait "$harness_pid" 2>/dev/null
    harness_pid=
    check durability-after-kill '{"a":1}' "$(cat "$file")"
fi
exec 4>&-
[ -n "$harness_pid" ] && kill -KILL "$harness_pid" 2>/dev/null && wait "$harness_pid" 2>/dev/null
harness_pid=

# ---- a flush that fails part-way --------------------------------------------------------

file=$scratch/limited.jsonl
printf 'k0\t{"first":true}\n' | "$harness" "$file" >/dev/null
record=$(printf '{"pad":"%0700d"}' 0)
# A file-size limit of 1 KiB: the batch of two records is written in part, then EFBIG.
results=$( (ulimit -f 1 && printf 'k1\t%s\nk2\t%s\n\nk3\t{"small":1}\n' "$record" "$record" | "$harness" "$file") )
status=$?
check cut-back-results "delivered k1
delivered k2
flush failed cannot write '$file': File too large
delivered k3
flushed" "$results"
check cut-back-content '{"first":true}
{"small":1}' "$(cat "$file")"
if [ $status -ne 1 ]; then fail cut-back-status "status $status after a failed flush, expected 1"; else pass; fi
results=$(printf 'k\t{}\n' | "$harness" /dev/full)
check device-full "delivered k
flush failed cannot write '/dev/full': No space left on device" "$results"

# ---- standard output --------------------------------------------------------------------

input=$'k1\t{"a":1}\n\nk2\t{"b":2}'
printf '%s\n' "$input" | "$harness" - --results "$scratch/stdout.results" >"$scratch/stdout.file"
check stdout-file '{"a":1}
{"b":2}' "$(cat "$scratch/stdout.file")"
check stdout-results "delivered k1
flushed
delivered k2
flushed" "$(cat "$scratch/stdout.results")"
check stdout-pipe '{"a":1}
{"b":2}' "$(printf '%s\n' "$input" | "$harness" - --results /dev/null | cat)"
# The reader is gone before the first flush: EPIPE, a failed flush, exit 1.
{ sleep 0.3; printf '%s\n' "$input"; } | "$harness" - --results "$scratch/epipe.results" | true
status=${PIPESTATUS[1]}
check stdout-closed-pipe "delivered k1
flush failed cannot write standard output: Broken pipe
delivered k2
flush failed cannot write standard output: Broken pipe" "$(cat "$scratch/epipe.results")"
if [ "$status" -ne 1 ]; then fail stdout-closed-pipe-status "status $status, expected 1 (141: killed by SIGPIPE)"
else pass
fi

# A flush to standard output that fails part-way leaves a torn line, which cannot be
# taken back: the next flush ends it first, so the records after it stay whole lines.
# Standard output is a file opened for appending, under a 1 KiB limit; between the two
# flushes the test empties it, making room again.
file=$scratch/stdout-torn.jsonl
: >"$file"
mkfifo "$scratch/stdout-torn.in"
(ulimit -f 1 && exec "$harness" - --results "$scratch/stdout-torn.results" <"$scratch/stdout-torn.in" >>"$file") &
harness_pid=$!
exec 4>"$scratch/stdout-torn.in"
printf 'k1\t%s\nk2\t%s\n\n' "$record" "$record" >&4
if wait_for_line "$scratch/stdout-torn.results" "flush failed cannot write standard output: File too large"; then
    : >"$file"
    printf 'k3\t{"c":3}\n\n' >&4
    exec 4>&-
    wait "$harness_pid"
    check stdout-torn-line "|
{\"c\":3}
|" "$(printf '|'; cat "$file"; printf '|')"
else
    fail stdout-torn-line "the flush did not fail" "$(cat "$scratch/stdout-torn.results")"
    exec 4>&-
    kill -KILL "$harness_pid" 2>/dev/null
    wait "$harness_pid" 2>/dev/null
fi
harness_pid=

# ---- webhooks ---------------------------------------------------------------------------

if start_server hook --requests "$scratch/hook.requests" --headers "$scratch/hook.headers" \
    --status-for-key k201=201 --status-for-key k204=204 --status-for-key k408=408 \
    --status-for-key k429=429 --status-for-key k500=500 --status-for-key k503=503 \
    --status-for-key k400=400 --status-for-key k404=404 --status-for-key k307=307 \
    --status-for-key k301=301; then
    url=http://127.0.0.1:$port/hooks/journey
    results=$(printf '%s\n' "a1${tab}{\"n\":1}" "a2${tab}{\"n\":2,\"s\":\"tab\\tand \\\"quotes\\\"\"}" \
        "k201${tab}{}" "k204${tab}{}" "k408${tab}{}" "k429${tab}{}" "k500${tab}{}" "k503${tab}{}" \
        "k400${tab}{}" "k404${tab}{}" "k307${tab}{}" "k301${tab}{}" "a3${tab}{\"n\":3}" |
        "$harness" "$url" --header 'Authorization: Bearer s3cret' --header 'X-Journey-Test: one two')
    check webhook-classification "delivered a1
delivered a2
delivered k201
delivered k204
retry k408 HTTP 408
retry k429 HTTP 429
retry k500 HTTP 500
retry k503 HTTP 503
rejected k400 HTTP 400
rejected k404 HTTP 404
rejected k307 HTTP 307
rejected k301 HTTP 301
delivered a3
flushed" "$results"
    check webhook-bodies 'a1	{"n":1}
a2	{"n":2,"s":"tab\tand \"quotes\""}
k201	{}
k204	{}
a3	{"n":3}' "$(cat "$scratch/hook.posts")"
    # One request per record (no redirect followed, nothing repeated), one connection.
    check webhook-keep-alive "13 requests on connection 1" \
        "$(awk -F '\t' '{ n[$1]++ } END { for (c in n) printf "%d requests on connection %s\n", n[c], c }' \
            "$scratch/hook.requests")"
    headers=$(grep -E "^a1$tab" "$scratch/hook.headers" | cut -f 2- |
        grep -iE '^(idempotency-key|content-type|user-agent|authorization|x-journey-test|expect):' | LC_ALL=C sort)
    check webhook-headers "Authorization: Bearer s3cret
Content-Type: application/json
Idempotency-Key: a1
User-Agent: journey/$version
X-Journey-Test: one two" "$headers"
    stop_server hook
fi

# A record of 1.5 MB goes as it is, without "Expect: 100-continue" (which libcurl adds
# above 1 MiB, costing a round trip or, with some receivers, a one-second wait).
big=$(printf '{"pad":"%01500000d"}' 0)
if start_server big --max-body 4000000 --headers "$scratch/big.headers"; then
    results=$(printf 'big\t%s\n' "$big" | "$harness" "http://127.0.0.1:$port/")
    check webhook-large-body "delivered big
flushed" "$results"
    if [ "$(cut -f 2 "$scratch/big.posts")" != "$big" ]; then fail webhook-large-body "the body arrived changed"
    elif grep -qi "^big${tab}expect:" "$scratch/big.headers"; then
        fail webhook-large-body "sent with an Expect header" "$(grep -i expect "$scratch/big.headers")"
    else pass
    fi
    stop_server big
fi

# The first two attempts fail with 503; the same key then goes through, once.
if start_server flaky --fail-first 2 --status 503; then
    results=$(printf 'r1\t{"try":1}\nr1\t{"try":1}\nr1\t{"try":1}\n' | "$harness" "http://127.0.0.1:$port/")
    check webhook-fail-first "retry r1 HTTP 503
retry r1 HTTP 503
delivered r1
flushed" "$results"
    check webhook-fail-first-posts 'r1	{"try":1}' "$(cat "$scratch/flaky.posts")"
    stop_server flaky
fi

# An answer far longer than the 1 MiB read limit: dropped part-way, the status decides.
if start_server long-answer --response-bytes 3000000 --requests "$scratch/long-answer.requests"; then
    results=$(printf 'l1\t{}\nl2\t{}\n' | "$harness" "http://127.0.0.1:$port/")
    check webhook-long-answer "delivered l1
delivered l2
flushed" "$results"
    stop_server long-answer
fi

# A receiver slower than the timeout: a retry, in about the timeout.
if start_server slow --delay-ms 2000; then
    started=$(date +%s%N)
    results=$(printf 't1\t{}\n' | "$harness" "http://127.0.0.1:$port/" --timeout-ms 300)
    elapsed=$((($(date +%s%N) - started) / 1000000))
    if [[ $results != "retry t1 "*"imed out"* ]]; then fail webhook-timeout "expected a retry for the timeout" "$results"
    elif [ $elapsed -ge 1500 ]; then fail webhook-timeout "took $elapsed ms with a 300 ms timeout"
    else pass
    fi
    stop_server slow
fi

# Nothing listens on port 1; no such host exists (.invalid is reserved, RFC 2606).
results=$(printf 'c1\t{}\n' | "$harness" http://127.0.0.1:1/)
if [[ $results != "retry c1 "*"Connection refused"* ]]; then
    fail webhook-refused "expected a retry naming 'Connection refused'" "$results"
else pass
fi
results=$(printf 'c2\t{}\n' | "$harness" http://no-such-host.invalid/ --timeout-ms 3000)
if [[ $results != "retry c2 "* ]]; then fail webhook-unknown-host "expected a retry" "$results"; else pass; fi

# The receiver's own rules, seen with curl(1): 405, 413, 400, a POST without a key.
if start_server rules --max-body 64 --requests "$scratch/rules.requests"; then
    base=http://127.0.0.1:$port/
    answers=$(curl -s -o /dev/null -w '%{http_code}\n' "$base"
        curl -s -o /dev/null -w '%{http_code}\n' -H 'Idempotency-Key: long' --data-binary "$(printf '%0100d' 0)" "$base"
        curl -s -o /dev/null -w '%{http_code}\n' -H 'Idempotency-Key: lines' --data-binary $'{}\n{}' "$base"
        curl -s -o /dev/null -w '%{http_code}\n' --data-binary '{"no":"key"}' "$base")
    check server-rules "405
413
400
200" "$answers"
    check server-rules-output '-	{"no":"key"}' "$(cat "$scratch/rules.posts")"
    stop_server rules
fi

# Refused at open: exit 1 and a message.
# open_error NAME EXPECTED-PART TARGET OPTION...
open_error() {
    local name=$1 expected=$2 output status
    shift 2
    output=$("$harness" "$@" </dev/null 2>&1)
    status=$?
    if [ $status -ne 1 ] || [[ $output != *"$expected"* ]]; then
        fail "$name" "status $status, expected 1 and a message with '$expected'" "$output"
    else pass
    fi
}
open_error webhook-bad-url "is not a usable URL" "http://"
open_error webhook-bad-header "is not 'Name: value'" http://127.0.0.1:1/ --header "no colon"
open_error webhook-header-line-break "is not 'Name: value'" http://127.0.0.1:1/ --header $'X-A: b\r\nX-B: c'
open_error webhook-key-header "Idempotency-Key header is each action's key" http://127.0.0.1:1/ \
    --header "Idempotency-Key: mine"

echo "sink: $passed passed, $failed failed"
[ $failed -eq 0 ]
