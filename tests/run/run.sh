#!/usr/bin/env bash
# tests/run/run.sh BUILD: `journey run` and `journey inspect` (spec/run.md).
#
#   crash safety  a workload from the benchmark's generator is fed from a file to
#                 journey run, which is killed with SIGKILL at random moments
#                 (JOURNEY_CRASH_RUNS times, default 50; JOURNEY_CRASH_SEED picks the
#                 moments) and restarted each time, then run to the end with --once.
#                 The actions delivered must be, as a set of keys, exactly what
#                 journey sim produces for the same events (none lost, none invented),
#                 and every copy of a key must be byte for byte sim's action (no key
#                 maps to two actions); duplicates are allowed and counted. The state
#                 must read cleanly after every kill.
#   resuming      a second --once applies nothing; lines appended later are applied
#                 from where the first run stopped; bad lines are skipped and named
#   live          over HTTP: a Segment track call is answered 200 once committed,
#                 survives a SIGKILL right after, and the journey's `wait 2s` fires on
#                 the wall clock after a restart; SIGTERM stops with status 0
#   webhook       actions POSTed with Idempotency-Key, retried after 503s, a rejected
#                 one in the dead-letter file
#   inspect       a contact, --json, an unknown contact, the overview, sqlite3's view
#   the command   another program on the same state, usage errors, --help
#
# Ends with one line "run: N passed, N failed"; exits 1 if a check failed.
set -u
build=${1:?usage: run.sh BUILD}
case $build in /*) ;; *) build=$PWD/$build ;; esac
journey=$build/journey
journeyc=$build/journeyc
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root" || exit 2
passed=0
failed=0
scratch=$(mktemp -d "${TMPDIR:-/tmp}/journey-run.XXXXXX") || exit 2
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill -9 "$pid" 2>/dev/null; done
    rm -rf "$scratch"
}
trap cleanup EXIT

pass() { passed=$((passed + 1)); }
fail() {
    failed=$((failed + 1))
    printf 'FAIL %s: %s\n' "$1" "$2"
    [ -n "${3:-}" ] && printf '%s\n' "$3" | sed 's/^/    /'
}
# check NAME MESSAGE COMMAND...: passes when the command succeeds.
check() {
    local name=$1 message=$2
    shift 2
    if "$@"; then pass; else fail "$name" "$message"; fi
}
now_iso() { date -u +%Y-%m-%dT%H:%M:%S.000Z; }
# Waits up to $2 tenths of a second for the command in $1 to succeed.
wait_for() {
    local tries=$2
    while [ "$tries" -gt 0 ]; do
        eval "$1" && return 0
        sleep 0.1
        tries=$((tries - 1))
    done
    return 1
}
# The port journey run reports in "listening on ... (port N)" on its stderr file $1.
port_of() { sed -n 's/.*(port \([0-9]*\)).*/\1/p' "$1" | head -n 1; }

for program in tests/run/programs/*.journey; do
    name=$(basename "$program" .journey)
    "$journeyc" build "$program" -o "$scratch/$name.jbc" || fail "$name" "does not build"
done
"$journeyc" build bench/journeys/all.journey -o "$scratch/all.jbc" || fail all "bench/journeys/all.journey does not build"
"$journeyc" build examples/onboarding.journey -o "$scratch/onboarding.jbc" || fail onboarding "does not build"

# ---- crash safety ------------------------------------------------------------------------

crash=$scratch/crash
mkdir -p "$crash"
"$build/bench/generate" --contacts 3000 --events 60000 --days 30 --seed 7 -o "$crash/events.jsonl" ||
    fail crash "the workload generator failed"
runs=${JOURNEY_CRASH_RUNS:-50}
seed=${JOURNEY_CRASH_SEED:-$$}
RANDOM=$seed
echo "run: crash safety: $runs kills, seed $seed (JOURNEY_CRASH_SEED=$seed reproduces the moments)"
unexpected=""
mid_input=0
after_checkpoint=0
input_size=$(wc -c <"$crash/events.jsonl")
for i in $(seq 1 "$runs"); do
    "$journey" run "$scratch/all.jbc" --state "$crash/state.db" --events "$crash/events.jsonl" \
        --actions "$crash/actions.jsonl" --batch 10 --checkpoint-every 1s --quiet 2>>"$crash/stderr" &
    pid=$!
    pids+=("$pid")
    # Most kills come early; the second and the fourth after a second, past a checkpoint
    # (every 1s) while events remain, so that restarts replay a journal written after one.
    if [ "$i" -eq 2 ] || [ "$i" -eq 4 ]; then
        sleep "1.$(printf "%03d" $((200 + RANDOM % 300)))"
    else
        sleep "0.$(printf "%03d" $((RANDOM % 300)))"
    fi
    kill -9 "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    status=$?
    [ "$status" -ne 137 ] && [ "$status" -ne 0 ] && unexpected="$unexpected run $i exited $status;"
    events=$("$journey" inspect --state "$crash/state.db" 2>"$crash/inspect-error" | sed -n 's/^events \([0-9]*\).*/\1/p')
    if [ -z "$events" ] && grep -q 'has no tables yet\|No such file or directory' "$crash/inspect-error"; then
        : # killed before its first transaction: no database, or an empty one, which is fine
    elif [ -z "$events" ]; then
        cat "$crash/inspect-error" >>"$crash/inspect-errors"
        unexpected="$unexpected the state did not read after kill $i;"
    fi
    # Killed before the whole file was committed: at work, or recovering.
    offset=$(sqlite3 "$crash/state.db" 'SELECT offset FROM inputs' 2>/dev/null)
    [ "${offset:-0}" -lt "$input_size" ] && mid_input=$((mid_input + 1))
    # A checkpoint, and journal entries after it: the next start replays on top of it.
    [ "$(sqlite3 "$crash/state.db" 'SELECT count(*) FROM checkpoint, journal WHERE journal.seq > checkpoint.journal_seq' 2>/dev/null)" \
        -gt 0 ] 2>/dev/null && after_checkpoint=$((after_checkpoint + 1))
done
check crash/runs "runs stopped other than by the kill:$unexpected $(cat "$crash/stderr" "$crash/inspect-errors" 2>/dev/null | head -n 5)" \
    test -z "$unexpected"
"$journey" run "$scratch/all.jbc" --state "$crash/state.db" --events "$crash/events.jsonl" \
    --actions "$crash/actions.jsonl" --once --quiet 2>>"$crash/stderr"
check crash/final "the last run (--once) did not finish cleanly: $(tail -n 3 "$crash/stderr")" test $? -eq 0
"$journey" sim "$scratch/all.jbc" "$crash/events.jsonl" --until "$(now_iso)" -o "$crash/sim.jsonl" --quiet
sort -u "$crash/actions.jsonl" >"$crash/delivered.unique"
sort -u "$crash/sim.jsonl" >"$crash/sim.unique"
keys_delivered=$(grep -o '"key":"[^"]*"' "$crash/delivered.unique" | sort -u | wc -l)
lines_delivered=$(wc -l <"$crash/delivered.unique")
check crash/none-lost "keys journey sim makes and journey run never delivered: $(comm -23 "$crash/sim.unique" "$crash/delivered.unique" | wc -l)" \
    test -z "$(comm -23 "$crash/sim.unique" "$crash/delivered.unique")"
check crash/none-invented "actions journey run delivered that journey sim does not make: $(comm -13 "$crash/sim.unique" "$crash/delivered.unique" | head -n 3)" \
    test -z "$(comm -13 "$crash/sim.unique" "$crash/delivered.unique")"
check crash/one-action-per-key "$lines_delivered different actions under $keys_delivered keys" \
    test "$keys_delivered" -eq "$lines_delivered"
check crash/meaningful "only $mid_input kills landed before the whole file was committed" test "$mid_input" -ge 10
check crash/after-checkpoint "no kill left a journal after a checkpoint to replay" test "$after_checkpoint" -ge 1
duplicates=$(($(wc -l <"$crash/actions.jsonl") - lines_delivered))
echo "run: crash safety: $(wc -l <"$crash/sim.unique") actions, $duplicates delivered twice or more (at least once is the contract), $mid_input kills landed before the whole file was committed, $after_checkpoint left a journal after a checkpoint"

# ---- resuming, appending, bad lines -------------------------------------------------------

resume=$scratch/resume
mkdir -p "$resume"
head -n 60 examples/onboarding.events.jsonl >"$resume/events.jsonl"
"$journey" run "$scratch/onboarding.jbc" --state "$resume/s.db" --events "$resume/events.jsonl" \
    --actions "$resume/actions.jsonl" --once 2>"$resume/first.err"
check resume/first "the first --once failed: $(cat "$resume/first.err")" test $? -eq 0
"$journey" run "$scratch/onboarding.jbc" --state "$resume/s.db" --events "$resume/events.jsonl" \
    --actions "$resume/actions.jsonl" --once 2>"$resume/second.err"
check resume/nothing-twice "a second --once applied events again: $(cat "$resume/second.err")" \
    grep -q '^journey run: 0 events read' "$resume/second.err"
check resume/going-on "the second run does not say where it goes on" grep -q 'going on from line 61' "$resume/second.err"
{
    echo '{"type":"track","userId":"late-1","event":"Signed Up"'
    echo 'not json at all'
    tail -n +61 examples/onboarding.events.jsonl
} >>"$resume/events.jsonl"
"$journey" run "$scratch/onboarding.jbc" --state "$resume/s.db" --events "$resume/events.jsonl" \
    --actions "$resume/actions.jsonl" --once 2>"$resume/third.err"
check resume/appended "the run over appended lines failed: $(cat "$resume/third.err")" test $? -eq 0
check resume/bad-lines "bad lines are not named by file and line: $(cat "$resume/third.err")" \
    test "$(grep -c "events.jsonl:6[12]: .*(skipped)" "$resume/third.err")" -eq 2
# The first run moved the clock to now, so the appended events (of March) apply late:
# not sim's actions, but every event once, and every action once.
sim_events=$("$journey" sim "$scratch/onboarding.jbc" examples/onboarding.events.jsonl 2>&1 >/dev/null |
    sed -n 's/^simulated to .*: \([0-9]*\) events, .*/\1/p')
run_events=$("$journey" inspect --state "$resume/s.db" | sed -n 's/^events \([0-9]*\).*/\1/p')
check resume/every-event-once "three runs applied $run_events events, sim applies $sim_events" \
    test "$run_events" = "$sim_events"
check resume/every-action-once "an action was delivered twice by runs that stopped cleanly" \
    test "$(grep -o '"key":"[^"]*"' "$resume/actions.jsonl" | sort | uniq -d | wc -l)" -eq 0

# Standard input: a pipe that is slow to start is not its end; its close is.
(sleep 0.5; cat examples/onboarding.events.jsonl) |
    "$journey" run "$scratch/onboarding.jbc" --state "$resume/stdin.db" --events - --actions "$resume/stdin.jsonl" \
        --once 2>"$resume/stdin.err"
"$journey" sim "$scratch/onboarding.jbc" examples/onboarding.events.jsonl --until "$(now_iso)" -o "$resume/sim.jsonl" --quiet
check resume/stdin "from a pipe, the actions differ from journey sim's: $(tail -n 2 "$resume/stdin.err")" \
    cmp -s <(sort "$resume/stdin.jsonl") <(sort "$resume/sim.jsonl")

# A line over 1 MiB is skipped and named; the lines after it are read.
{
    head -n 3 examples/onboarding.events.jsonl
    printf '{"padding":"%s"}\n' "$(head -c 1100000 /dev/zero | tr '\0' a)"
    sed -n '4,10p' examples/onboarding.events.jsonl
} >"$resume/long.jsonl"
"$journey" run "$scratch/onboarding.jbc" --state "$resume/long.db" --events "$resume/long.jsonl" \
    --actions "$resume/long.actions.jsonl" --once 2>"$resume/long.err"
check resume/too-long "a line over 1 MiB: $(cat "$resume/long.err")" \
    grep -q 'long.jsonl:4: a line longer than 1 MiB (skipped)' "$resume/long.err"
check resume/after-too-long "the lines after a long one were not read: $(tail -n 1 "$resume/long.err")" \
    grep -q '^journey run: 10 events read, 1 refused' "$resume/long.err"

# ---- the command -----------------------------------------------------------------------------

"$journey" run "$scratch/other.jbc" --state "$resume/s.db" --once 2>"$scratch/other.err"
check command/other-program "another program on the same state: status $? ($(cat "$scratch/other.err"))" \
    grep -q 'holds the state of another program' "$scratch/other.err"
"$journey" run "$scratch/live.jbc" 2>/dev/null
check command/no-state "no --state: status $? instead of 64" test $? -eq 64
"$journey" run --state "$scratch/x.db" 2>/dev/null
check command/no-program "no program: status $? instead of 64" test $? -eq 64
"$journey" run "$scratch/live.jbc" --state "$scratch/x.db" --once --listen 127.0.0.1:0 2>/dev/null
check command/once-listen "--once with --listen: status $? instead of 64" test $? -eq 64
"$journey" run "$scratch/live.jbc" --state "$scratch/x.db" --batch 0 2>/dev/null
check command/batch "--batch 0: status $? instead of 64" test $? -eq 64
"$journey" run --help | grep -q 'Idempotency-Key'
check command/help "--help does not explain the sinks" test $? -eq 0
"$journey" run "$scratch/live.jbc" --state "$scratch/nowhere/x.db" --once 2>"$scratch/nowhere.err"
check command/state-unopenable "a state in a missing directory: status $? ($(cat "$scratch/nowhere.err"))" \
    grep -q 'nowhere/x.db' "$scratch/nowhere.err"

# ---- inspect ---------------------------------------------------------------------------------

"$journey" inspect --state "$resume/s.db" user-1 >"$scratch/inspect.txt" 2>&1
check inspect/text "journey inspect user-1: $(cat "$scratch/inspect.txt")" \
    grep -q '^  onboarding: ended; entered 1 time, latest 2026-03-02T08:10:00.000Z, goal reached$' "$scratch/inspect.txt"
check inspect/attributes "journey inspect shows no attributes: $(cat "$scratch/inspect.txt")" \
    grep -q '^  plan = "pro"$' "$scratch/inspect.txt"
"$journey" inspect --state "$resume/s.db" --json user-1 >"$scratch/inspect.json"
check inspect/json "journey inspect --json: $(cat "$scratch/inspect.json")" \
    grep -q '^{"id":"user-1","clock":"[^"]*","journeys":{"onboarding":{"status":"ended","entries":1,' "$scratch/inspect.json"
"$journey" inspect --state "$resume/s.db" nobody 2>"$scratch/nobody.err"
check inspect/unknown "an unknown contact: status $? ($(cat "$scratch/nobody.err"))" grep -q "no contact 'nobody'" "$scratch/nobody.err"
"$journey" inspect --state "$resume/s.db" >"$scratch/overview.txt"
check inspect/overview "the overview: $(cat "$scratch/overview.txt")" grep -q '^journey onboarding: entered' "$scratch/overview.txt"
if command -v sqlite3 >/dev/null; then
    delivered=$(sqlite3 "$resume/s.db" 'SELECT count(*) FROM actions WHERE delivered_at IS NOT NULL')
    check inspect/sqlite3 "sqlite3 sees $delivered delivered actions, not $(wc -l <"$resume/actions.jsonl")" \
        test "$delivered" -eq "$(wc -l <"$resume/actions.jsonl")"
fi

# ---- live: HTTP, wall-clock timers, SIGKILL after a 200, SIGTERM --------------------------------

live=$scratch/live
mkdir -p "$live"
: >"$live/stderr"
start_live() {
    "$journey" run "$scratch/live.jbc" --state "$live/s.db" --listen 127.0.0.1:0 \
        --actions "$live/actions.jsonl" "$@" 2>>"$live/stderr" &
    live_pid=$!
    pids+=("$live_pid")
    wait_for '[ -n "$(port_of "$live/stderr" | tail -n 1)" ]' 100
    live_port=$(sed -n 's/.*(port \([0-9]*\)).*/\1/p' "$live/stderr" | tail -n 1)
}
start_live
check live/listening "journey run did not report its port: $(cat "$live/stderr")" test -n "$live_port"
code=$(curl -s -o "$live/response" -w '%{http_code}' -H 'Content-Type: application/json' \
    -d '{"userId":"live-1","event":"Signed Up","properties":{"plan":"pro"},"messageId":"m-1"}' \
    "http://127.0.0.1:$live_port/v1/track")
check live/committed "POST /v1/track: HTTP $code $(cat "$live/response")" test "$code" = 200
{ kill -9 "$live_pid" && wait "$live_pid"; } 2>/dev/null
sleep 3 # the journey's wait 2s falls due while the runner is down
"$journey" run "$scratch/live.jbc" --state "$live/s.db" --actions "$live/actions.jsonl" --once 2>>"$live/stderr"
check live/durable-and-timely "after a SIGKILL right after the 200 and a restart, the actions: $(cat "$live/actions.jsonl")" \
    test "$(grep -o '"message":"[a-z]*"' "$live/actions.jsonl" | sort -u | tr '\n' ' ')" = '"message":"followup" "message":"welcome" '
: >"$live/stderr"
start_live
curl -s -o /dev/null -H 'Content-Type: application/json' \
    -d '{"batch":[{"type":"identify","userId":"live-2","traits":{"first_name":"Grace"}},{"type":"track","userId":"live-2","event":"Signed Up","properties":{"plan":"free"}}]}' \
    "http://127.0.0.1:$live_port/v1/batch"
check live/on-time "the followup of live-2 was not delivered within 6 s while running" \
    wait_for 'grep -q "live-2.*followup\|followup.*live-2" "$live/actions.jsonl"' 60
check live/welcome-personal "the welcome did not use the identify's first name" \
    grep -q 'Welcome, Grace!' "$live/actions.jsonl"
kill -TERM "$live_pid"
wait "$live_pid"
check live/sigterm "SIGTERM: exit status $? instead of 0 ($(tail -n 2 "$live/stderr"))" test $? -eq 0

# ---- webhook --------------------------------------------------------------------------------

hook=$scratch/hook
mkdir -p "$hook"
if [ -x "$build/tests/webhook_server" ]; then
    head -n 30 examples/onboarding.events.jsonl >"$hook/events.jsonl"
    "$journey" sim "$scratch/onboarding.jbc" "$hook/events.jsonl" --until "$(now_iso)" -o "$hook/sim.jsonl" --quiet
    rejected=$(sed -n '2s/.*"key":"\([^"]*\)".*/\1/p' "$hook/sim.jsonl")
    "$build/tests/webhook_server" "$hook/received.tsv" --fail-first 3 --status 503 \
        --status-for-key "$rejected=422" >"$hook/port" 2>"$hook/server.err" &
    server_pid=$!
    pids+=("$server_pid")
    wait_for '[ -s "$hook/port" ]' 50
    hook_port=$(head -n 1 "$hook/port")
    "$journey" run "$scratch/onboarding.jbc" --state "$hook/s.db" --events "$hook/events.jsonl" \
        --actions "http://127.0.0.1:$hook_port/actions" --header 'Authorization: Bearer test' --once \
        2>"$hook/run.err"
    check webhook/run "journey run with a webhook: $(cat "$hook/run.err")" test $? -eq 0
    check webhook/all-delivered "the webhook accepted $(cut -f1 "$hook/received.tsv" | sort -u | wc -l) keys, sim makes $(wc -l <"$hook/sim.jsonl") and one is rejected" \
        test "$(cut -f1 "$hook/received.tsv" | sort -u | wc -l)" -eq "$(($(wc -l <"$hook/sim.jsonl") - 1))"
    check webhook/idempotency-keys "the webhook got keys that sim does not make" \
        test -z "$(comm -23 <(cut -f1 "$hook/received.tsv" | sort -u) <(grep -o '"key":"[^"]*"' "$hook/sim.jsonl" | cut -d'"' -f4 | sort -u))"
    check webhook/dead-letter "the rejected action is not in the dead-letter file: $(cat "$hook/s.db.dead-letters.jsonl" 2>&1)" \
        grep -q "^{\"key\":\"$rejected\",\"attempts\":1,\"error\":\"HTTP 422[^\"]*\",\"dead_at\":\"[^\"]*\",\"action\":{" "$hook/s.db.dead-letters.jsonl"
    check webhook/dead-in-state "the state does not mark the rejected action dead" \
        test "$(sqlite3 "$hook/s.db" "SELECT count(*) FROM actions WHERE dead_at IS NOT NULL AND key = '$rejected'")" = 1
    check webhook/retried "the three 503s were not retried: $(cat "$hook/run.err")" grep -q 'retried 3' "$hook/run.err"
    kill "$server_pid" 2>/dev/null
    wait "$server_pid" 2>/dev/null
else
    fail webhook "no $build/tests/webhook_server"
fi

echo "run: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
