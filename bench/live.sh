#!/usr/bin/env bash
# bench/live.sh BUILD_DIR: journey run's live figures, which `make bench` measures after
# bench/run.sh (bench/README.md, "journey run: live figures").
#
# Each figure is the median of BENCH_RUNS runs (default 3), each on a fresh state
# database (SQLite, WAL, synchronous=FULL), the runs of the three kinds taking turns:
#   file    journey run --events W.jsonl --once: events per second from a file, each
#           batch of --batch 1000 events committed durably, the timers due by now fired
#           at the end and the checkpoint taken (the whole command, start to exit)
#   single  over HTTP, one event per request (/v1/track, /v1/identify, /v1/page as the
#           event's type says), 8 clients: events per second and the latency from
#           request to commit (journey run answers 200 once the events are committed)
#   batch   over HTTP, POST /v1/batch of 100 events, 4 clients: the same
# Actions go to /dev/null: the figures are the runner's, not an action file's. The
# disk's flushes during each run are counted from /proc/diskstats (the whole disk,
# other processes included): a commit is one, so they show how many events a commit
# held. The disk's rate of synced 4 KiB writes is measured beside the state with dd
# (oflag=dsync) before each run, to tell a slow disk from a slow runner.
#
#   BENCH_PRESET        tiny, small or default: the live workload's size (below)
#   BENCH_RUNS          runs per figure (default 3)
#   BENCH_SEED          the workload's seed (default 1)
#   BENCH_LIVE_RESULTS  where to write the JSON (default bench/results/live.json)
#
# The live workload is scaled down from the preset (one event per request is slow over
# HTTP): tiny 1 000 contacts and 10 000 events over 30 days (the tiny preset itself),
# small 20 000 contacts and 200 000 events over 90 days, default 100 000 contacts and
# 1 000 000 events over 90 days (the small preset's file). The file and batch figures
# take all of it; one event per request takes its first 2 000, 20 000 or 50 000
# events. Exit status: 0 measured; 1 a command failed; 64 usage.
set -u
build=${1:?usage: bench/live.sh BUILD_DIR}
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root" || exit 1
case $build in /*) ;; *) build=$root/$build ;; esac
preset=${BENCH_PRESET:-default}
runs=${BENCH_RUNS:-3}
seed=${BENCH_SEED:-1}
results=${BENCH_LIVE_RESULTS:-bench/results/live.json}
work=$build/bench
live=$work/live
journey=$build/journey
journeyc=$build/journeyc
bench_name="bench live"
# shellcheck source=bench/figures.sh
. "$(dirname "$0")/figures.sh"
check_settings
# contacts events days of the workload, then the events posted one per request
case $preset in
    tiny) set -- 1000 10000 30 2000 ;;
    small) set -- 20000 200000 90 20000 ;;
    default) set -- 100000 1000000 90 50000 ;;
    *) usage_error "BENCH_PRESET must be tiny, small or default, not '$preset'" ;;
esac
contacts=$1 events=$2 days=$3 single_events=$4
single_clients=8 batch_clients=4 batch_size=100 run_batch=1000
for tool in "$journey" "$journeyc" "$work/generate" "$work/measure" "$work/post_events"; do
    [ -x "$tool" ] || fail "$tool is missing: run 'make bench', which builds it"
done
mkdir -p "$live" "$(dirname "$results")" || exit 1
state=$live/state.db

# ---- the server, and cleaning up after it ---------------------------------------------

server_pid="" server_port=""

remove_state() { rm -f "$state" "$state-wal" "$state-shm" "$state.dead-letters.jsonl" "$live/dsync.probe"; }

cleanup() {
    if [ -n "$server_pid" ]; then
        kill -KILL "$server_pid" 2>/dev/null
        wait "$server_pid" 2>/dev/null
    fi
    remove_state
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# start_server ERR: starts journey run on a fresh state, listening on a port the system
# picks, its standard error in ERR; sets server_pid and server_port.
start_server() {
    local err=$1 tries
    remove_state
    # Emptied here: the background job opens it only once it runs, and until then the
    # file may still hold an earlier run's port.
    : >"$err" || exit 1
    "$journey" run "$program" --state "$state" --listen 127.0.0.1:0 --actions /dev/null 2>"$err" &
    server_pid=$!
    for ((tries = 0; tries < 100; tries++)); do
        server_port=$(sed -n 's/^journey run: listening on .* (port \([0-9]*\))$/\1/p' "$err")
        [ -n "$server_port" ] && return 0
        if ! kill -0 "$server_pid" 2>/dev/null; then
            wait "$server_pid"
            server_pid=""
            fail "journey run stopped before it listened (see $err)"
        fi
        sleep 0.1
    done
    fail "journey run did not listen within 10 seconds (see $err)"
}

# server_cpu_seconds: the CPU time (user + system) journey run has used so far, every
# thread of it (/proc/PID/stat: utime and stime, in clock ticks).
server_cpu_seconds() {
    sed 's/^.*) //' "/proc/$server_pid/stat" | awk -v tick="$(getconf CLK_TCK)" '{ printf "%.3f", ($12 + $13) / tick }'
}

# stop_server ERR: SIGTERM, then its exit status must be 0 within a minute.
stop_server() {
    local err=$1 waited status
    kill -TERM "$server_pid" 2>/dev/null
    for ((waited = 0; waited < 600; waited++)); do
        kill -0 "$server_pid" 2>/dev/null || break
        sleep 0.1
    done
    kill -0 "$server_pid" 2>/dev/null && fail "journey run did not stop within a minute of SIGTERM (see $err)"
    wait "$server_pid"
    status=$?
    server_pid=""
    [ "$status" -eq 0 ] || fail "journey run exited with status $status after SIGTERM (see $err)"
}

# ---- the disk ------------------------------------------------------------------------------

# The file system under the state directory, its device, and that device as
# /proc/diskstats names it ("" if it is not a block device).
disk_device="" filesystem=""
read -r disk_device filesystem < <(df --output=source,fstype "$live" 2>/dev/null | tail -n 1)
disk_name=""
case ${disk_device:-} in /dev/*) disk_name=$(basename "$(readlink -f "$disk_device")") ;; esac

# The flush requests the disk completed so far (field 19 of /proc/diskstats, Linux
# 5.5 and later), or nothing when the kernel does not count them for this device.
disk_flushes() {
    [ -n "$disk_name" ] && awk -v name="$disk_name" '$3 == name && NF >= 20 { print $19 }' /proc/diskstats
}

# ---- helpers ---------------------------------------------------------------------------------




# The runs' values of each figure, space-separated, in run order.
declare -A samples
record() { samples[$1]+="${samples[$1]:+ }$2"; }

# applied_events ERR: the events journey run says it took, from its summary at exit
# ("journey run: 10000 events read, 0 refused; ..."); nothing if it refused any.
applied_events() { sed -n 's/^journey run: \([0-9]*\) events [a-z]*, 0 refused.*/\1/p' "$1" | tail -n 1; }

# record_flushes PREFIX BEFORE AFTER SECONDS EVENTS: the disk's flushes per second during
# a run and the events per flush, when the kernel counts flushes.
record_flushes() {
    [ -n "$2" ] && [ -n "$3" ] || return 0
    local flushes=$(($3 - $2))
    record "$1_disk_flushes_per_second" "$(divide "$flushes" "$4" %.1f)"
    record "$1_events_per_disk_flush" "$(divide "$5" "$flushes" %.1f)"
}

# ---- the workload and the program ------------------------------------------------------

# The name bench/run.sh gives a workload, so that the two share a file they both use.
generator_digest=$(cat bench/generate.c bench/workload_*.[ch] | sha256sum | cut -c1-12)
workload=$work/workload-c$contacts-e$events-d$days-s$seed-$generator_digest.jsonl
if [ ! -s "$workload" ]; then
    echo "bench live: generating $workload" >&2
    "$work/generate" --contacts "$contacts" --events "$events" --days "$days" --seed "$seed" -o "$workload.tmp" ||
        fail "generate failed"
    mv "$workload.tmp" "$workload" || exit 1
fi
program=$live/all.jbc
"$journeyc" build -Werror bench/journeys/all.journey -o "$program" || fail "bench/journeys/all.journey does not build"

# ---- measuring ---------------------------------------------------------------------------

# measure_file RUN: journey run reads the whole workload from the file and stops.
measure_file() {
    local run=$1 before after line wall cpu
    remove_state
    before=$(disk_flushes)
    "$work/measure" -o "$live/file.$run.measure" "$journey" run "$program" --state "$state" --events "$workload" \
        --once --actions /dev/null >"$live/file.$run.out" 2>"$live/file.$run.err" ||
        fail "journey run --events failed (see $live/file.$run.err)"
    after=$(disk_flushes)
    [ "$(applied_events "$live/file.$run.err")" = "$events" ] ||
        fail "journey run did not take the $events events of $workload, or refused some (see $live/file.$run.err)"
    line=$(cat "$live/file.$run.measure")
    wall=$(value wall_seconds <<<"$line")
    cpu=$(awk -v u="$(value user_seconds <<<"$line")" -v s="$(value system_seconds <<<"$line")" 'BEGIN { printf "%.3f", u + s }')
    record file_events_per_second "$(divide "$events" "$wall")"
    record file_events_per_cpu_second "$(divide "$events" "$cpu")"
    record file_commits_per_second "$(divide "$(((events + run_batch - 1) / run_batch))" "$wall" %.1f)"
    record file_seconds "$wall"
    record_flushes file "$before" "$after" "$wall" "$events"
}

# measure_http NAME RUN POST_EVENTS_OPTIONS...: a fresh journey run on a port, the
# workload posted to it by post_events, then SIGTERM.
measure_http() {
    local name=$1 run=$2 before after out err posted cpu
    shift 2
    out=$live/$name.$run.out err=$live/$name.$run.err
    start_server "$err"
    before=$(disk_flushes)
    "$work/post_events" "$@" "http://127.0.0.1:$server_port" "$workload" >"$out" 2>"$live/$name.$run.post_events.err" ||
        fail "post_events failed (see $live/$name.$run.post_events.err and $err)"
    after=$(disk_flushes)
    cpu=$(server_cpu_seconds)
    stop_server "$err"
    posted=$(value events <"$out")
    [ "$(applied_events "$err")" = "$posted" ] || fail "journey run did not take the $posted events posted, or refused some (see $err)"
    local key
    for key in events_per_second requests_per_second latency_p50_ms latency_p90_ms latency_p99_ms latency_max_ms seconds; do
        record "${name}_$key" "$(value "$key" <"$out")"
    done
    record "${name}_events_per_cpu_second" "$(divide "$posted" "$cpu")"
    record_flushes "$name" "$before" "$after" "$(value seconds <"$out")" "$posted"
}

# measure_disk RUN: synced 4 KiB writes per second beside the state: dd with O_DSYNC
# (each write returns once it is on the disk, as a commit does) over a file written
# before, as a WAL's pages are overwritten once it has grown.
measure_disk() {
    local run=$1 count=200
    if ! dd if=/dev/zero of="$live/dsync.probe" bs=4096 count=$count status=none 2>"$live/disk.$run.err" ||
        ! "$work/measure" -o "$live/disk.$run.measure" dd if=/dev/zero of="$live/dsync.probe" bs=4096 count=$count \
            oflag=dsync conv=notrunc status=none 2>"$live/disk.$run.err"; then
        fail "dd oflag=dsync failed (see $live/disk.$run.err)"
    fi
    rm -f "$live/dsync.probe"
    record disk_synced_writes_per_second "$(divide "$count" "$(value wall_seconds <"$live/disk.$run.measure")")"
}

echo "bench live: journey run on $(basename "$workload"), $runs runs each" >&2
for ((run = 1; run <= runs; run++)); do
    measure_disk "$run"
    measure_file "$run"
    measure_http single "$run" --clients "$single_clients" --limit "$single_events"
    measure_http batch "$run" --clients "$batch_clients" --batch "$batch_size"
done

# ---- the figures -------------------------------------------------------------------------

# figure KEY LABEL UNIT [CPU_KEY]: one line of the table (and of its Markdown version, for
# bench/README.md) and one entry of the JSON: the median of KEY's runs, and of CPU_KEY's
# (the same figure from CPU time). A figure with no runs (flushes the kernel does not
# count) is "not measured".
table="" markdown="" figures_json=""
figure() {
    local key=$1 label=$2 unit=$3 cpu_key=${4:-}
    local values=${samples[$key]:-} median_value shown cpu_value="" cpu_shown="" count
    if [ -z "$values" ]; then
        table+=$(printf '%-46s %s' "$label" "not measured (the kernel counts no flushes for this disk)")$'\n'
        markdown+="| $label | not measured | | |"$'\n'
        figures_json+="${figures_json:+,}"$'\n'"    \"$key\": { \"label\": $(json_string "$label"), \"value\": null, \"unit\": $(json_string "$unit"), \"note\": \"the kernel counts no flushes for this disk\" }"
        return
    fi
    count=$(wc -w <<<"$values")
    median_value=$(median <<<"$values")
    shown=$(readable "$median_value")
    if [ -n "$cpu_key" ]; then
        cpu_value=$(median <<<"${samples[$cpu_key]}")
        cpu_shown=$(readable "$cpu_value")
    fi
    table+=$(printf '%-46s %16s %-14s %14s  %s' "$label" "$shown" "$unit" "$cpu_shown" "$count")$'\n'
    markdown+="| $label | $shown $unit | ${cpu_shown:+$cpu_shown $unit} | $count |"$'\n'
    figures_json+="${figures_json:+,}"$'\n'"    \"$key\": { \"label\": $(json_string "$label"), \"value\": $median_value, \"unit\": $(json_string "$unit")"
    [ -n "$cpu_value" ] && figures_json+=", \"value_from_cpu_time\": $cpu_value"
    figures_json+=", \"median_of_runs\": $count, \"runs\": [${values// /, }] }"
}

figure file_events_per_second "from a file, durable commits" "events/s" file_events_per_cpu_second
figure file_commits_per_second "from a file: commits (batches of $run_batch)" "commits/s"
figure file_disk_flushes_per_second "from a file: disk flushes" "flushes/s"
figure single_events_per_second "HTTP, 1 event/request, $single_clients clients" "events/s" single_events_per_cpu_second
figure single_latency_p50_ms "HTTP, 1 event/request: to commit, p50" "ms"
figure single_latency_p90_ms "HTTP, 1 event/request: to commit, p90" "ms"
figure single_latency_p99_ms "HTTP, 1 event/request: to commit, p99" "ms"
figure single_latency_max_ms "HTTP, 1 event/request: to commit, max" "ms"
figure single_disk_flushes_per_second "HTTP, 1 event/request: disk flushes" "flushes/s"
figure single_events_per_disk_flush "HTTP, 1 event/request: events per flush" "events"
figure batch_events_per_second "HTTP, /v1/batch of $batch_size, $batch_clients clients" "events/s" batch_events_per_cpu_second
figure batch_requests_per_second "HTTP, /v1/batch: requests" "requests/s"
figure batch_latency_p50_ms "HTTP, /v1/batch: to commit, p50" "ms"
figure batch_latency_p90_ms "HTTP, /v1/batch: to commit, p90" "ms"
figure batch_latency_p99_ms "HTTP, /v1/batch: to commit, p99" "ms"
figure batch_latency_max_ms "HTTP, /v1/batch: to commit, max" "ms"
figure batch_disk_flushes_per_second "HTTP, /v1/batch: disk flushes" "flushes/s"
figure batch_events_per_disk_flush "HTTP, /v1/batch: events per flush" "events"
figure disk_synced_writes_per_second "the disk: synced 4 KiB writes (dd)" "writes/s"

# ---- the machine, the table, the JSON --------------------------------------------------------

cpu_model=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
cores=$(nproc)
memory_bytes=$(awk '/^MemTotal:/ { printf "%.0f", $2 * 1024 }' /proc/meminfo)
kernel=$(uname -sr)
date=$(date -u +%Y-%m-%dT%H:%M:%SZ)
commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
git diff --quiet HEAD 2>/dev/null || commit+=" (with uncommitted changes)"
load=$(cut -d ' ' -f 1-3 /proc/loadavg)
disk_synced=$(median <<<"${samples[disk_synced_writes_per_second]}")
disk_note="${filesystem:-an unknown file system} on ${disk_device:-an unknown device}, $(readable "$disk_synced") synced 4 KiB writes/s (dd oflag=dsync, median)"

{
    echo "journey run, live figures, preset $preset: $contacts contacts, $events events over $days days (seed $seed)"
    echo "from the file: all $events events; HTTP one per request: the first $single_events; /v1/batch: all"
    echo "machine: $cpu_model, $cores cores, $(divide "$memory_bytes" 1073741824 %.1f) GiB, $kernel"
    echo "disk: $disk_note"
    echo "load average at the end: $load; $date; commit $commit"
    echo
    printf '%-46s %16s %-14s %14s  %s\n' "figure" "value" "unit" "from CPU time" "runs"
    printf '%s' "$table"
} | tee "$live/live.txt"

cat >"$results.tmp" <<JSON || exit 1
{
  "date": "$date",
  "commit": $(json_string "$commit"),
  "machine": {
    "cpu": $(json_string "$cpu_model"),
    "cores": $cores,
    "memory_bytes": $memory_bytes,
    "kernel": $(json_string "$kernel"),
    "load_average_at_end": $(json_string "$load"),
    "disk": {
      "filesystem": $(json_string "$filesystem"),
      "device": $(json_string "$disk_device"),
      "synced_4k_writes_per_second": $disk_synced,
      "note": $(json_string "$disk_note")
    }
  },
  "parameters": {
    "preset": "$preset",
    "contacts": $contacts,
    "events": $events,
    "days": $days,
    "seed": $seed,
    "runs": $runs,
    "workload": $(json_string "$(basename "$workload")"),
    "file_events": $events,
    "journey_run_batch": $run_batch,
    "actions": "/dev/null",
    "http_single": { "events": $single_events, "clients": $single_clients },
    "http_batch": { "events": $events, "clients": $batch_clients, "events_per_request": $batch_size }
  },
  "figures": {$figures_json
  }
}
JSON
mv "$results.tmp" "$results" || exit 1
{
    echo "| figure | median | from CPU time | runs |"
    echo "|---|---|---|---|"
    printf '%s' "$markdown"
} >"$live/live.md"
echo "bench live: wrote $results, and the table in Markdown for bench/README.md to $live/live.md" >&2
