#!/usr/bin/env bash
# bench/run.sh BUILD_DIR: the benchmark that `make bench` runs (bench/README.md).
#
# Generates the workload once into BUILD_DIR/bench (kept for later runs: its name holds
# the parameters and a digest of the generator), checks that the Lua peer takes the
# same actions as journey and that --threads 2 takes one thread's, then measures each
# figure BENCH_RUNS times (default 3) and keeps the median. Prints a table and writes bench/results/latest.json.
#
#   BENCH_PRESET   tiny, small or default (bench/generate.c --help tells their sizes)
#   BENCH_RUNS     runs per timed figure (default 3)
#   BENCH_SEED     the workload's seed (default 1)
#   BENCH_RESULTS  where to write the JSON (default bench/results/latest.json)
#
# The Lua peer runs on the workload itself up to 1 000 000 events; on a larger one it
# runs on the small preset's workload (1 000 000 events, 100 000 contacts), and journey
# is measured again on that file for the ratios. Exit status: 0 measured; 1 a command
# failed or the peer's actions differ from journey's; 64 usage.
set -u
build=${1:?usage: bench/run.sh BUILD_DIR}
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root" || exit 1
case $build in /*) ;; *) build=$root/$build ;; esac
preset=${BENCH_PRESET:-default}
runs=${BENCH_RUNS:-3}
seed=${BENCH_SEED:-1}
results=${BENCH_RESULTS:-bench/results/latest.json}
work=$build/bench
journey=$build/journey
journeyc=$build/journeyc
bench_name="bench"
# shellcheck source=bench/figures.sh
. "$(dirname "$0")/figures.sh"
check_settings
# contacts events days, and the contacts of the timer figure
case $preset in
    tiny) set -- 1000 10000 30 20000 ;;
    small) set -- 100000 1000000 90 2000000 ;;
    default) set -- 1000000 10000000 90 2000000 ;;
    *) usage_error "BENCH_PRESET must be tiny, small or default, not '$preset'" ;;
esac
contacts=$1 events=$2 days=$3 timer_contacts=$4
peer_limit=1000000
for tool in "$journey" "$journeyc" "$work/generate" "$work/measure" "$work/vm_probe" "$work/read_events"; do
    [ -x "$tool" ] || fail "$tool is missing: run 'make bench', which builds it"
done
command -v lua5.4 >/dev/null || fail "lua5.4 is missing: scripts/install-bench-deps.sh installs it"
mkdir -p "$work" "$(dirname "$results")" || exit 1

# ---- the workload and the programs ------------------------------------------------------

generator_digest=$(cat bench/generate.c bench/workload_*.[ch] | sha256sum | cut -c1-12)

# workload CONTACTS EVENTS DAYS: generates (once) and prints the path of its .jsonl;
# the .jsonl.gz beside it too.
workload() {
    local file=$work/workload-c$1-e$2-d$3-s$seed-$generator_digest.jsonl
    if [ ! -s "$file" ]; then
        echo "bench: generating $file" >&2
        "$work/generate" --contacts "$1" --events "$2" --days "$3" --seed "$seed" -o "$file.tmp" || fail "generate failed"
        mv "$file.tmp" "$file" || exit 1
    fi
    if [ ! -s "$file.gz" ] || [ "$file.gz" -ot "$file" ]; then
        echo "bench: compressing it" >&2
        gzip -c "$file" >"$file.gz.tmp" || fail "gzip failed"
        mv "$file.gz.tmp" "$file.gz" || exit 1
    fi
    echo "$file"
}

jsonl=$(workload "$contacts" "$events" "$days") || exit 1
if [ "$events" -le "$peer_limit" ]; then
    peer_jsonl=$jsonl peer_contacts=$contacts peer_events=$events
else
    peer_jsonl=$(workload 100000 1000000 90) || exit 1
    peer_contacts=100000 peer_events=1000000
fi

program=$work/all.jbc
"$journeyc" build -Werror bench/journeys/all.journey -o "$program" || fail "bench/journeys/all.journey does not build"
"$journeyc" build -Werror bench/journeys/timers.journey -o "$work/timers.jbc" || fail "bench/journeys/timers.journey does not build"
large_journeys=200 large_statements=50
bench/large_program.sh $large_journeys $large_statements >"$work/large.journey" || fail "large_program.sh failed"
large_lines=$(wc -l <"$work/large.journey")
"$journeyc" check -Werror "$work/large.journey" || fail "the generated large program does not check clean"

# ---- measuring ---------------------------------------------------------------------------

# Per figure: the medians of the runs, and the runs themselves for the JSON.
declare -A wall cpu rss run_walls run_cpus run_count


# measure NAME COUNT COMMAND...: runs COMMAND COUNT times, its output of run R in
# NAME.R.out and NAME.R.err, and keeps the medians of wall-clock time, CPU time (user +
# system) and peak RSS (KiB).
measure() {
    local name=$1 count=$2 walls="" cpus="" rsses="" run line
    shift 2
    for ((run = 1; run <= count; run++)); do
        "$work/measure" -o "$work/$name.$run.measure" "$@" >"$work/$name.$run.out" 2>"$work/$name.$run.err" ||
            fail "$name failed: $* (see $work/$name.$run.err)"
        line=$(cat "$work/$name.$run.measure")
        walls+=" $(value wall_seconds <<<"$line")"
        cpus+=" $(awk -v u="$(value user_seconds <<<"$line")" -v s="$(value system_seconds <<<"$line")" 'BEGIN { printf "%.3f", u + s }')"
        rsses+=" $(value max_rss_kb <<<"$line")"
    done
    run_walls[$name]=${walls# } run_cpus[$name]=${cpus# } run_count[$name]=$count
    wall[$name]=$(median <<<"$walls") cpu[$name]=$(median <<<"$cpus") rss[$name]=$(median <<<"$rsses")
}


# runs_median NAME KEY: the median of KEY=value over the outputs (or the Lua peer's
# stderr, with KEY "lua heap") of NAME's runs.
runs_median() {
    local name=$1 key=$2 values="" run
    for ((run = 1; run <= ${run_count[$name]}; run++)); do
        if [ "$key" = "lua heap" ]; then
            values+=" $(sed -n 's/^lua heap: \([0-9]*\) bytes$/\1/p' "$work/$name.$run.err")"
        else
            values+=" $(value "$key" <"$work/$name.$run.out")"
        fi
    done
    median <<<"$values"
}


# share_beyond WHOLE PART: the share of WHOLE beyond PART, in percent (0 if none).
share_beyond() { awk -v w="$1" -v p="$2" 'BEGIN { if (w > p) printf "%.1f", 100 * (w - p) / w; else print 0 }'; }

echo "bench: the Lua peer and journey on $(basename "$peer_jsonl"): the same actions?" >&2
"$journey" sim "$program" "$peer_jsonl" -o "$work/peer.journey.actions.jsonl" 2>"$work/peer.journey.summary" ||
    fail "journey sim failed on $peer_jsonl"
lua5.4 bench/lua/run.lua "$peer_jsonl" -o "$work/peer.lua.actions.jsonl" 2>"$work/peer.lua.summary" ||
    fail "the Lua peer failed on $peer_jsonl (see $work/peer.lua.summary)"
if ! diff -u "$work/peer.journey.summary" <(grep -v '^lua heap: ' "$work/peer.lua.summary") >"$work/peer.summary.diff" ||
    ! lua5.4 bench/lua/compare.lua "$work/peer.journey.actions.jsonl" "$work/peer.lua.actions.jsonl" >"$work/peer.compare"; then
    cat "$work/peer.summary.diff" "$work/peer.compare" >&2
    fail "the Lua peer's actions differ from journey's: the ratios would compare different work"
fi
agreement="$(cat "$work/peer.compare") and the summaries are identical"

echo "bench: journey sim --threads 2 on $(basename "$peer_jsonl"): one thread's actions and summary?" >&2
"$journey" sim "$program" "$peer_jsonl" --threads 2 -o "$work/peer.threads.actions.jsonl" \
    2>"$work/peer.threads.summary" || fail "journey sim --threads 2 failed on $peer_jsonl"
cmp -s "$work/peer.journey.actions.jsonl" "$work/peer.threads.actions.jsonl" &&
    cmp -s "$work/peer.journey.summary" "$work/peer.threads.summary" ||
    fail "journey sim --threads 2 differs from one thread on $peer_jsonl: the scaling would compare different work"

echo "bench: measuring, $runs runs each" >&2
measure sim_jsonl "$runs" "$journey" sim "$program" "$jsonl" -o /dev/null --quiet
measure sim_threads2 "$runs" "$journey" sim "$program" "$jsonl" -o /dev/null --quiet --threads 2
measure sim_gzip "$runs" "$journey" sim "$program" "$jsonl.gz" -o /dev/null --quiet
jev_note="not measured (journey pack missing)"
if "$journey" pack --help >/dev/null 2>&1; then
    jev=${jsonl%.jsonl}.jev
    if [ ! -s "$jev" ] || [ "$jev" -ot "$program" ] || [ "$jev" -ot "$journey" ]; then
        "$journey" pack "$program" "$jsonl" -o "$jev" --quiet || fail "journey pack failed"
    fi
    measure sim_jev "$runs" "$journey" sim "$program" "$jev" -o /dev/null --quiet
    jev_note=""
fi
measure parse_jsonl "$runs" "$work/read_events" scan "$program" "$jsonl"
measure parse_gzip "$runs" "$work/read_events" scan "$program" "$jsonl.gz"
measure vm_memory 1 "$work/vm_probe" memory "$program" "$jsonl"
measure vm_memory_without_ids 1 "$work/vm_probe" memory "$program" "$jsonl" --without-message-ids
measure timers "$runs" "$work/vm_probe" timers "$work/timers.jbc" "$timer_contacts"
measure compile "$runs" "$journeyc" build "$work/large.journey" -o "$work/large.jbc"
measure lua "$runs" lua5.4 bench/lua/run.lua "$peer_jsonl" --quiet
peer_sim=sim_jsonl
if [ "$peer_jsonl" != "$jsonl" ]; then
    measure sim_peer "$runs" "$journey" sim "$program" "$peer_jsonl" -o /dev/null --quiet
    peer_sim=sim_peer
fi

# ---- the figures -------------------------------------------------------------------------

# figure KEY LABEL VALUE UNIT RUNS_OF [CPU_VALUE]: one line of the table (and of its
# Markdown version, for bench/README.md) and one entry of the JSON. RUNS_OF names the measurement whose runs the figure is the median of ("" for
# a figure computed once); CPU_VALUE is the same figure from CPU time instead of wall.
table="" markdown="" figures_json=""
figure() {
    local key=$1 label=$2 value=$3 unit=$4 of=$5 cpu_value=${6:-}
    local count=1 shown=$value cpu_shown=""
    [ -n "$of" ] && count=${run_count[$of]}
    case $value in *[!0-9.]* | "") ;; *) shown=$(readable "$value") ;; esac
    [ -n "$cpu_value" ] && cpu_shown=$(readable "$cpu_value")
    case $value in
        *[!0-9.]* | "")
            table+=$(printf '%-46s %s' "$label" "$value")$'\n'
            markdown+="| $label | $value | | |"$'\n'
            ;;
        *)
            table+=$(printf '%-46s %16s %-14s %14s  %s' "$label" "$shown" "$unit" "$cpu_shown" "$count")$'\n'
            markdown+="| $label | $shown $unit | ${cpu_shown:+$cpu_shown $unit} | $count |"$'\n'
            ;;
    esac
    local json_value=$value
    case $value in *[!0-9.]* | "") json_value="null" ;; esac
    figures_json+="${figures_json:+,}"$'\n'"    \"$key\": { \"label\": $(json_string "$label"), \"value\": $json_value, \"unit\": $(json_string "$unit")"
    case $value in *[!0-9.]* | "") figures_json+=", \"note\": $(json_string "$value")" ;; esac
    [ -n "$cpu_value" ] && figures_json+=", \"value_from_cpu_time\": $cpu_value"
    if [ -n "$of" ]; then
        figures_json+=", \"median_of_runs\": $count, \"runs_of\": \"$of\", \"wall_seconds\": [${run_walls[$of]// /, }], \"cpu_seconds\": [${run_cpus[$of]// /, }]"
    else
        figures_json+=", \"median_of_runs\": 1"
    fi
    figures_json+=" }"
}

sim_rate=$(divide "$events" "${wall[sim_jsonl]}")
parse_rate=$(divide "$events" "${wall[parse_jsonl]}")
figure sim_jsonl_events_per_second "simulation from .jsonl" "$sim_rate" "events/s" sim_jsonl \
    "$(divide "$events" "${cpu[sim_jsonl]}")"
figure sim_gzip_events_per_second "simulation from .jsonl.gz" "$(divide "$events" "${wall[sim_gzip]}")" "events/s" \
    sim_gzip "$(divide "$events" "${cpu[sim_gzip]}")"
if [ -z "$jev_note" ]; then
    figure sim_jev_events_per_second "simulation from .jev (journey pack)" "$(divide "$events" "${wall[sim_jev]}")" \
        "events/s" sim_jev "$(divide "$events" "${cpu[sim_jev]}")"
else
    figure sim_jev_events_per_second "simulation from .jev (journey pack)" "$jev_note" "events/s" ""
fi
figure parse_jsonl_events_per_second "parsing alone, .jsonl (the ceiling)" "$parse_rate" "events/s" parse_jsonl \
    "$(divide "$events" "${cpu[parse_jsonl]}")"
figure parse_gzip_events_per_second "parsing alone, .jsonl.gz (the ceiling)" "$(divide "$events" "${wall[parse_gzip]}")" \
    "events/s" parse_gzip "$(divide "$events" "${cpu[parse_gzip]}")"
figure vm_share_of_simulation "the VM's share of a .jsonl simulation" \
    "$(share_beyond "${wall[sim_jsonl]}" "${wall[parse_jsonl]}")" "%" sim_jsonl \
    "$(share_beyond "${cpu[sim_jsonl]}" "${cpu[parse_jsonl]}")"
figure sim_peak_rss "peak RSS of the .jsonl simulation" "$(divide "${rss[sim_jsonl]}" 1024 %.1f)" "MiB" sim_jsonl
figure rss_bytes_per_contact "peak RSS per contact" "$(divide "$((rss[sim_jsonl] * 1024))" "$contacts")" "bytes" sim_jsonl
vm_bytes=$(value bytes_per_contact <"$work/vm_memory.1.out")
vm_bytes_without_ids=$(value bytes_per_contact <"$work/vm_memory_without_ids.1.out")
figure vm_bytes_per_contact "VM's own bytes per contact at the end" "$vm_bytes" "bytes" ""
figure vm_bytes_per_contact_without_message_ids "the same, remembering no messageIds" "$vm_bytes_without_ids" "bytes" ""
figure vm_peak_bytes "VM's own bytes at the peak" "$(divide "$(value peak_bytes_held <"$work/vm_memory.1.out")" 1048576 %.1f)" \
    "MiB" ""
figure timers_fired_per_second "timers fired, $timer_contacts pending" "$(runs_median timers fired_per_second_wall)" \
    "timers/s" timers "$(runs_median timers fired_per_second_cpu)"
figure timer_bytes_per_waiting_contact "VM bytes per contact waiting on a timer" \
    "$(value bytes_per_waiting_contact <"$work/timers.1.out")" "bytes" ""
figure compile_seconds "journeyc build, $large_journeys journeys x $large_statements statements" "${wall[compile]}" \
    "s" compile "${cpu[compile]}"
figure sim_threads1_events_per_second "simulation from .jsonl, 1 thread" "$sim_rate" "events/s" sim_jsonl \
    "$(divide "$events" "${cpu[sim_jsonl]}")"
figure sim_threads2_events_per_second "simulation from .jsonl, --threads 2" \
    "$(divide "$events" "${wall[sim_threads2]}")" "events/s" sim_threads2 "$(divide "$events" "${cpu[sim_threads2]}")"
figure threads_scaling "simulation, 1 to 2 threads (events/s ratio)" \
    "$(divide "${wall[sim_jsonl]}" "${wall[sim_threads2]}" %.2f)" "x" sim_threads2
lua_rate=$(divide "$peer_events" "${wall[lua]}")
journey_peer_rate=$(divide "$peer_events" "${wall[$peer_sim]}")
figure lua_events_per_second "Lua peer, .jsonl ($peer_events events)" "$lua_rate" "events/s" lua \
    "$(divide "$peer_events" "${cpu[lua]}")"
figure journey_peer_events_per_second "journey on the same file" "$journey_peer_rate" "events/s" "$peer_sim" \
    "$(divide "$peer_events" "${cpu[$peer_sim]}")"
figure speed_ratio "journey / Lua, events per second" "$(divide "$journey_peer_rate" "$lua_rate" %.1f)" "x" lua \
    "$(divide "${cpu[lua]}" "${cpu[$peer_sim]}" %.1f)"
lua_rss_per_contact=$(divide "$((rss[lua] * 1024))" "$peer_contacts")
journey_peer_rss_per_contact=$(divide "$((rss[$peer_sim] * 1024))" "$peer_contacts")
figure lua_rss_bytes_per_contact "Lua peer, peak RSS per contact" "$lua_rss_per_contact" "bytes" lua
figure lua_heap_bytes_per_contact "Lua peer, its heap per contact at the end" \
    "$(divide "$(runs_median lua "lua heap")" "$peer_contacts")" "bytes" lua
figure journey_peer_rss_bytes_per_contact "journey on the same file, peak RSS per contact" \
    "$journey_peer_rss_per_contact" "bytes" "$peer_sim"
figure memory_ratio "Lua / journey, peak RSS per contact" \
    "$(divide "$lua_rss_per_contact" "$journey_peer_rss_per_contact" %.1f)" "x" lua

# ---- the machine, the table, the JSON --------------------------------------------------------

cpu_model=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
cores=$(nproc)
memory_bytes=$(awk '/^MemTotal:/ { printf "%.0f", $2 * 1024 }' /proc/meminfo)
kernel=$(uname -sr)
cc_version=$(${CC:-cc} --version | head -n 1)
cxx_version=$(${CXX:-g++} --version | head -n 1)
lua_version=$(lua5.4 -v 2>&1 | head -n 1)
date=$(date -u +%Y-%m-%dT%H:%M:%SZ)
commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
git diff --quiet HEAD 2>/dev/null || commit+=" (with uncommitted changes)"
load=$(cut -d ' ' -f 1-3 /proc/loadavg)

{
    echo "journey benchmark, preset $preset: $contacts contacts, $events events over $days days (seed $seed)"
    echo "machine: $cpu_model, $cores cores, $(divide "$memory_bytes" 1073741824 %.1f) GiB, $kernel; $cc_version"
    echo "load average at the end: $load; $date; commit $commit"
    echo "peer: $agreement"
    echo
    printf '%-46s %16s %-14s %14s  %s\n' "figure" "value" "unit" "from CPU time" "runs"
    printf '%s' "$table"
} | tee "$work/latest.txt"

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
    "compilers": { "cc": $(json_string "$cc_version"), "cxx": $(json_string "$cxx_version"), "lua": $(json_string "$lua_version") }
  },
  "parameters": {
    "preset": "$preset",
    "contacts": $contacts,
    "events": $events,
    "days": $days,
    "seed": $seed,
    "runs": $runs,
    "workload": $(json_string "$(basename "$jsonl")"),
    "workload_bytes": $(stat -c %s "$jsonl"),
    "workload_gzip_bytes": $(stat -c %s "$jsonl.gz"),
    "peer_workload": $(json_string "$(basename "$peer_jsonl")"),
    "peer_contacts": $peer_contacts,
    "peer_events": $peer_events,
    "timer_contacts": $timer_contacts,
    "large_program": { "journeys": $large_journeys, "statements_each": $large_statements, "lines": $large_lines }
  },
  "peer_agreement": $(json_string "$agreement"),
  "figures": {$figures_json
  }
}
JSON
mv "$results.tmp" "$results" || exit 1
{
    echo "| figure | median | from CPU time | runs |"
    echo "|---|---|---|---|"
    printf '%s' "$markdown"
} >"$work/latest.md"
echo "bench: wrote $results, and the table in Markdown for bench/README.md to $work/latest.md" >&2
