# bench/figures.sh: sourced by bench/run.sh and bench/live.sh: their messages, the
# checks of their settings, and the small arithmetic and formatting of figures, in one
# place. The sourcing script sets bench_name ("bench", "bench live"), runs and seed.

usage_error() {
    echo "$bench_name: $1" >&2
    exit 64
}
fail() {
    echo "$bench_name: $1" >&2
    exit 1
}

# BENCH_RUNS and BENCH_SEED, already in $runs and $seed.
check_settings() {
    case $runs in '' | *[!0-9]* | 0) usage_error "BENCH_RUNS must be a whole number of at least 1, not '$runs'" ;; esac
    case $seed in '' | *[!0-9]*) usage_error "BENCH_SEED must be a whole number, not '$seed'" ;; esac
}

# median: the median of the numbers on standard input (separated by spaces or lines).
median() { tr ' ' '\n' | LC_ALL=C sort -g | awk 'NF { v[++n] = $1 } END { if (n % 2) print v[(n + 1) / 2]; else printf "%.3f\n", (v[n / 2] + v[n / 2 + 1]) / 2 }'; }

# value KEY: the value of KEY=value in the line on standard input.
value() { sed -n "s/.*\<$1=\([^ ]*\).*/\1/p" | head -n 1; }

# divide A B [FORMAT]: A / B printed with FORMAT (default %.0f); 0 when B is not positive.
divide() { awk -v a="$1" -v b="$2" -v f="${3:-%.0f}" 'BEGIN { if (b > 0) printf f, a / b; else print 0 }'; }

# A number for people: 12,345,678 from 100 up, three significant digits below.
readable() {
    awk -v v="$1" 'BEGIN {
        if (v < 100) { printf "%.3g", v; exit }
        s = sprintf("%.0f", v); out = ""
        while (length(s) > 3) { out = "," substr(s, length(s) - 2) out; s = substr(s, 1, length(s) - 3) }
        print s out
    }'
}

# json_string TEXT: TEXT as a JSON string (it holds no control characters).
json_string() {
    local text=${1//\\/\\\\}
    text=${text//\"/\\\"}
    printf '"%s"' "$text"
}
