#!/usr/bin/env bash
# tests/http/run.sh BUILD: the tests of journey run's HTTP endpoint (spec/ingest.md),
# through BUILD/tests/http_harness (the server, the normalizer and the ingest queue,
# with a fake loop that answers every request 200) and curl. The program events are
# read against is tests/http/program.journey, compiled with BUILD/journeyc.
#
#   normalize/NAME.request   a body as an endpoint takes it: the first line is
#                            "ENDPOINT RECEIVED_AT", the rest the body; NAME.expected is
#                            what http_harness normalize prints: the lines, "(no events)",
#                            or "400 message". Timestamps (skew, clamping) are checked here,
#                            against a fixed time of receipt.
#   requests/NAME.request    an HTTP request: "METHOD PATH", header lines, and after a
#                            blank line the body (or the output of the executable
#                            NAME.body). Requests named auth-* go to a server that wants the
#                            write key wk_test_123, the others to one that wants none.
#                            NAME.expected: "status N", the Allow and WWW-Authenticate
#                            headers if sent, the body, and "events N", the number of
#                            lines the loop received. Every response must be JSON.
#   listen.cases             listen addresses the server refuses, and its message.
# Then, against the live servers: the clock of receipt (a missing timestamp, skew, a
# future time), a request held until the loop answers, 100 requests at once, garbage
# and cut-off bodies, the loop's refusal passed on, 503 once the queue is closed, and a
# clean stop (exit 0, which under AddressSanitizer also means no leak).
#
# UPDATE=1 tests/http/run.sh BUILD rewrites the expected files from the current output,
# for review against spec/ingest.md. Never in CI.
#
# Ends with one line "http: N passed, N failed"; exits 1 if a check failed.
set -u
build=${1:?usage: run.sh BUILD}
case $build in /*) ;; *) build=$PWD/$build ;; esac
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root" || exit 2
harness=$build/tests/http_harness
passed=0
failed=0
scratch=$(mktemp -d "${TMPDIR:-/tmp}/journey-http.XXXXXX") || exit 2
server_pids=()
# shellcheck disable=SC2317  # called by the trap
cleanup() {
    for pid in "${server_pids[@]}"; do kill "$pid" 2>/dev/null; done
    rm -rf "$scratch"
}
trap cleanup EXIT

fail() {
    failed=$((failed + 1))
    printf 'FAIL %s: %s\n' "$1" "$2"
    [ -n "${3:-}" ] && printf '%s\n' "$3" | sed 's/^/    /'
}
pass() { passed=$((passed + 1)); }

finish() {
    echo "http: $passed passed, $failed failed"
    [ $failed -eq 0 ]
    exit
}

# Compares the file $2 with the expected file $3 for check $1 (UPDATE=1 writes it).
compare() {
    [ "${UPDATE:-}" = 1 ] && cp "$2" "$3"
    if [ ! -f "$3" ]; then
        fail "$1" "missing $3 (UPDATE=1 writes it, for review)"
    elif ! cmp -s "$3" "$2"; then
        fail "$1" "output differs from $3" "$(diff -u --label "$3" --label actual "$3" "$2")"
    else
        pass
    fi
}

program=$scratch/program.jbc
if ! output=$("$build/journeyc" build tests/http/program.journey -o "$program" 2>&1); then
    fail program.journey "does not compile" "$output"
    finish
fi

# ---- the normalizer, on its own -----------------------------------------------------

for request in tests/http/normalize/*.request; do
    name=normalize/$(basename "$request" .request)
    read -r endpoint received_at <"$request"
    tail -n +2 "$request" | "$harness" normalize "$program" "$endpoint" "$received_at" >"$scratch/out" 2>&1
    status=$?
    if [ $status -ne 0 ]; then
        fail "$name" "http_harness normalize exited with status $status" "$(cat "$scratch/out")"
        continue
    fi
    compare "$name" "$scratch/out" "${request%.request}.expected"
done

# ---- the servers -------------------------------------------------------------------

declare -A server_port server_pid server_lines

# start_server NAME [serve options]: starts a server and waits until /health answers.
start_server() {
    local name=$1
    shift
    local lines=$scratch/$name.lines
    "$harness" serve "$program" "$lines" "$@" >"$scratch/$name.stdout" 2>"$scratch/$name.stderr" &
    local pid=$!
    server_pids+=("$pid")
    server_pid[$name]=$pid
    server_lines[$name]=$lines
    local port=
    for _ in $(seq 100); do
        port=$(sed -n 's/^port \([0-9]*\)$/\1/p' "$scratch/$name.stdout")
        [ -n "$port" ] && break
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    if [ -z "$port" ]; then
        fail "server $name" "did not start" "$(cat "$scratch/$name.stderr")"
        finish
    fi
    server_port[$name]=$port
    for _ in $(seq 100); do
        [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/health")" = 200 ] && return
        sleep 0.1
    done
    fail "server $name" "GET /health never answered 200"
    finish
}

start_server open
start_server keyed --write-key wk_test_123

line_count() { wc -l <"${server_lines[$1]}" 2>/dev/null || echo 0; }

# signal_server NAME SIGNAL WORD: sends the signal and waits until the server's loop
# says WORD, the sign that it has acted on it.
signal_server() {
    kill "-$2" "${server_pid[$1]}"
    for _ in $(seq 100); do
        grep -qx "$3" "$scratch/$1.stdout" && return
        sleep 0.1
    done
    fail "server $1" "never said \"$3\" after SIG$2"
    finish
}

# Sends the request file $2 to server $1; writes "status N", the headers worth seeing,
# and the body to $3.
send_request() {
    local server=$1 request=$2 out=$3
    local method path
    read -r method path <"$request"
    local arguments=(-s -g -X "$method" -H 'Expect:' -D "$scratch/headers" -o "$scratch/body.out"
        -w '%{http_code}' --max-time 60)
    grep -qi '^Content-Type:' <(sed -n '2,/^$/p' "$request") || arguments+=(-H 'Content-Type:')
    while IFS= read -r header; do
        arguments+=(-H "$header")
    done < <(sed -n '2,/^$/{/^$/d;p;}' "$request")
    local generator=${request%.request}.body
    if [ -x "$generator" ]; then
        "$generator" >"$scratch/body.in"
        arguments+=(--data-binary "@$scratch/body.in")
    elif grep -q '^$' "$request"; then
        sed '1,/^$/d' "$request" | head -c -1 >"$scratch/body.in"
        arguments+=(--data-binary "@$scratch/body.in")
    fi
    : >"$scratch/body.out"
    local status
    status=$(curl "${arguments[@]}" "http://127.0.0.1:${server_port[$server]}$path")
    {
        echo "status $status"
        tr -d '\r' <"$scratch/headers" | grep -iE '^(Allow|WWW-Authenticate):'
        cat "$scratch/body.out"
        echo
    } >"$out"
    tr -d '\r' <"$scratch/headers" | grep -qi '^Content-Type: application/json$'
}

for request in tests/http/requests/*.request; do
    base=$(basename "$request" .request)
    name=requests/$base
    server=open
    case $base in auth-*) server=keyed ;; esac
    before=$(line_count $server)
    if ! send_request $server "$request" "$scratch/out"; then
        fail "$name" "the response is not application/json" "$(cat "$scratch/headers" "$scratch/out")"
        continue
    fi
    echo "events $(($(line_count $server) - before))" >>"$scratch/out"
    compare "$name" "$scratch/out" "${request%.request}.expected"
done

# ---- listen addresses the server refuses --------------------------------------------

while IFS=$'\t' read -r address expected; do
    case $address in '' | '#'*) continue ;; esac
    address=${address//@PORT/${server_port[open]}}
    expected=${expected//@PORT/${server_port[open]}}
    actual=$(timeout 10 "$harness" serve "$program" "$scratch/refused.lines" --listen "$address" 2>&1)
    status=$?
    if [ $status -ne 1 ] || [ "$actual" != "$expected" ]; then
        fail "listen $address" "exit $status, expected 1" "expected: $expected"$'\n'"actual:   $actual"
    else
        pass
    fi
done <tests/http/listen.cases

# ---- the clock of receipt -----------------------------------------------------------

now_ms() { date +%s%3N; }
iso_of_ms() { printf '%s.%03dZ' "$(date -u -d "@$(($1 / 1000))" +%Y-%m-%dT%H:%M:%S)" $(($1 % 1000)); }
ms_of_iso() { date -u -d "$1" +%s%3N; }

# post_and_time NAME BODY OFFSET: posts a track call, then checks that its receivedAt
# lies between the times before and after the request, and its timestamp OFFSET
# milliseconds from there.
post_and_time() {
    local name=$1 body=$2 offset=$3
    local lines_before before after status
    lines_before=$(line_count open)
    before=$(now_ms)
    status=$(curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' --data-binary "$body" \
        "http://127.0.0.1:${server_port[open]}/v1/track")
    after=$(now_ms)
    local line
    line=$(tail -n +"$((lines_before + 1))" "${server_lines[open]}")
    local timestamp received
    timestamp=$(grep -o '"timestamp":"[^"]*"' <<<"$line" | cut -d'"' -f4)
    received=$(grep -o '"receivedAt":"[^"]*"' <<<"$line" | cut -d'"' -f4)
    if [ "$status" != 200 ] || [ -z "$timestamp" ]; then
        fail "clock: $name" "status $status" "$line"
        return
    fi
    local at received_ms
    at=$(ms_of_iso "$timestamp")
    received_ms=$(ms_of_iso "$received")
    if [ "$received_ms" -lt "$before" ] || [ "$received_ms" -gt "$after" ]; then
        fail "clock: $name" "receivedAt $received is not between $(iso_of_ms "$before") and $(iso_of_ms "$after")"
    elif [ "$at" -lt $((before + offset)) ] || [ "$at" -gt $((after + offset)) ]; then
        fail "clock: $name" \
            "timestamp $timestamp is not between $(iso_of_ms $((before + offset))) and $(iso_of_ms $((after + offset)))"
    else
        pass
    fi
}

start=$(now_ms)
post_and_time "no timestamp: the time of receipt" '{"userId":"c1","event":"Signed Up"}' 0
# A client whose clock is an hour ahead says it sent the call an hour after now and
# that it happened half an hour before that: it happened half an hour ago.
post_and_time "sentAt corrects the client's skew" \
    "{\"userId\":\"c2\",\"event\":\"Signed Up\",\"timestamp\":\"$(iso_of_ms $((start + 1800000)))\",\"sentAt\":\"$(iso_of_ms $((start + 3600000)))\"}" \
    -1800000
post_and_time "a future timestamp is the time of receipt" \
    "{\"userId\":\"c3\",\"event\":\"Signed Up\",\"timestamp\":\"$(iso_of_ms $((start + 86400000)))\"}" 0

# ---- acknowledged only once the loop has answered -----------------------------------

signal_server open USR2 holding
before=$(line_count open)
curl -s -o "$scratch/held.body" -w '%{http_code}' -H 'Content-Type: application/json' \
    --data-binary '{"userId":"h1","event":"Signed Up"}' "http://127.0.0.1:${server_port[open]}/v1/track" \
    >"$scratch/held.status" &
held=$!
sleep 1
if ! kill -0 $held 2>/dev/null; then
    fail "held request" "answered ($(cat "$scratch/held.status")) while the loop held it"
elif [ "$(line_count open)" != "$before" ]; then
    fail "held request" "the loop took it while held"
else
    pass
fi
signal_server open USR2 released
wait $held
if [ "$(cat "$scratch/held.status")" = 200 ] && [ "$(line_count open)" = $((before + 1)) ]; then
    pass
else
    fail "held request" "after the release: status $(cat "$scratch/held.status"), $(($(line_count open) - before)) events"
fi

# ---- 100 requests at once -----------------------------------------------------------

before=$(line_count open)
clients=()
for i in $(seq 100); do
    curl -s -o /dev/null -w '%{http_code}\n' --max-time 60 -H 'Content-Type: application/json' \
        --data-binary "{\"userId\":\"p$i\",\"messageId\":\"m-$i\",\"event\":\"Signed Up\"}" \
        "http://127.0.0.1:${server_port[open]}/v1/track" >"$scratch/parallel.$i" &
    clients+=($!)
done
wait "${clients[@]}"
answered=$(cat "$scratch"/parallel.* | grep -c '^200$')
distinct=$(tail -n +"$((before + 1))" "${server_lines[open]}" | grep -o '"messageId":"m-[0-9]*"' | sort -u | wc -l)
if [ "$answered" = 100 ] && [ "$distinct" = 100 ] && [ "$(line_count open)" = $((before + 100)) ]; then
    pass
else
    fail "100 requests at once" "$answered answered 200, $distinct distinct events, $(($(line_count open) - before)) lines"
fi

# ---- garbage: bytes, and a good batch cut at every length ---------------------------

before=$(line_count open)
statuses=
for seed in $(seq 40); do
    perl -e 'srand($ARGV[0]); print map { chr(int(rand(256))) } 1 .. 1 + int(rand(3000))' "$seed" >"$scratch/garbage"
    for endpoint in track batch; do
        statuses+=$(curl -s -o /dev/null -w '%{http_code} ' -H 'Content-Type: application/json' \
            --data-binary "@$scratch/garbage" "http://127.0.0.1:${server_port[open]}/v1/$endpoint")
    done
done
good='{"batch":[{"type":"track","userId":"g1","event":"Order Completed","properties":{"order_id":"o\u00e9\"1","revenue":9.5}},{"type":"identify","anonymousId":"a\\b","traits":{"plan":"x"}}]}'
for length in $(seq 1 $((${#good} - 1))); do
    statuses+=$(curl -s -o /dev/null -w '%{http_code} ' -H 'Content-Type: application/json' \
        --data-binary "${good:0:length}" "http://127.0.0.1:${server_port[open]}/v1/batch")
done
unexpected=$(tr ' ' '\n' <<<"$statuses" | grep -v '^$' | grep -vc '^400$')
if [ "$unexpected" = 0 ] && [ "$(line_count open)" = "$before" ]; then
    pass
else
    fail "garbage" "$unexpected answers other than 400, $(($(line_count open) - before)) events taken"
fi
status=$(curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' --data-binary "$good" \
    "http://127.0.0.1:${server_port[open]}/v1/batch")
if [ "$status" = 200 ]; then pass; else fail "garbage" "the uncut batch got $status after the garbage"; fi

# ---- the loop's refusal, and stopping -----------------------------------------------

signal_server keyed HUP refusing
before=$(line_count keyed)
send_request keyed tests/http/requests/auth-basic.request "$scratch/out"
echo "events $(($(line_count keyed) - before))" >>"$scratch/out"
compare "the loop refuses: its status and message" "$scratch/out" tests/http/refused.expected

signal_server open USR1 closed
before=$(line_count open)
send_request open tests/http/requests/track.request "$scratch/out"
echo "events $(($(line_count open) - before))" >>"$scratch/out"
compare "closed queue: 503" "$scratch/out" tests/http/closed.expected
status=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:${server_port[open]}/health")
if [ "$status" = 200 ]; then pass; else fail "closed queue" "GET /health answered $status"; fi

for server in open keyed; do
    kill -TERM "${server_pid[$server]}"
    for _ in $(seq 100); do
        kill -0 "${server_pid[$server]}" 2>/dev/null || break
        sleep 0.1
    done
    if kill -0 "${server_pid[$server]}" 2>/dev/null; then
        fail "stop $server" "still running 10 s after SIGTERM"
        continue
    fi
    wait "${server_pid[$server]}"
    status=$?
    if [ $status -eq 0 ]; then pass; else fail "stop $server" "exit status $status" "$(cat "$scratch/$server.stderr")"; fi
done
server_pids=()

finish
