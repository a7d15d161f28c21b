#!/usr/bin/env bash
# tests/report/run.sh BUILD_DIR: the text and HTML renderings of the simulation report
# (cli/report_text.c, cli/report_html.c, cli/report_format.c; spec/report.md).
#
#   format      tests/report/format_checks.c: figures, durations, times, escaping
#   models      tests/report/model_driver.c renders report models built by hand (a
#               typical run, an empty one, NaN figures, hostile names, 400 days and
#               200 nodes) through the writers in BUILD_DIR/cli; each case is written
#               twice and must be byte-identical; a write error must be reported
#   text        golden files tests/report/expected/CASE.txt (every case but large);
#               every report is valid UTF-8 without control characters, and at most 79
#               columns wide where the names fit
#   chromium    a page that logs a console error must be caught: the browser check sees
#   html        no reference to anything outside the page (every src or href is a
#               #fragment; no url(), no @import; the Content Security Policy is there);
#               then the page is opened in headless Chromium: any console message
#               fails (the page has no script, so every message is the browser
#               complaining: a blocked load, a malformed attribute), the DOM it built
#               must hold the expected charts, the same elements as the file (no name
#               broke the markup) and nothing a name could have smuggled in
#   examples    `journey sim examples/X.journey ... --until +30d --report OUT.txt|.html`
#               for three examples, twice each (deterministic), through the checks above
#
# The drivers are compiled here with cc against BUILD_DIR's objects (with the
# sanitizers when those objects have them). Chromium is required: without it the HTML
# checks fail. UPDATE=1 rewrites the golden text files that exist, for review against
# model_driver.c's models and spec/report.md; never in CI.
#
# Ends with one line "report: N passed, N failed"; exits 1 if anything failed.
set -u
build=${1:?usage: run.sh BUILD_DIR}
case $build in /*) ;; *) build=$PWD/$build ;; esac
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root" || exit 2
passed=0
failed=0
scratch=$(mktemp -d "${TMPDIR:-/tmp}/journey-report.XXXXXX") || exit 2
trap 'rm -rf "$scratch"' EXIT

fail() {
    failed=$((failed + 1))
    printf 'FAIL %s: %s\n' "$1" "$2"
    [ -n "${3:-}" ] && printf '%s\n' "$3" | head -n 40 | sed 's/^/    /'
}
pass() { passed=$((passed + 1)); }

# ---- the drivers ----------------------------------------------------------------------

objects=("$build/cli/report_text.o" "$build/cli/report_html.o" "$build/cli/report_format.o" "$build/libjourney.a")
flags=(-std=c17 -Wall -Wextra -Werror -Icli -Iinclude -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -g -O1)
drivers_built=true
for object in "${objects[@]}"; do
    if [ ! -f "$object" ]; then
        fail build "missing $object (run make first)"
        drivers_built=false
    fi
done
if $drivers_built && nm "$build/cli/report_text.o" | grep -q __asan; then
    flags+=(-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer)
fi
if $drivers_built; then
    for driver in model_driver format_checks; do
        if ! output=$(cc "${flags[@]}" -o "$scratch/$driver" "tests/report/$driver.c" "${objects[@]}" -lm 2>&1); then
            fail build "cannot compile tests/report/$driver.c" "$output"
            drivers_built=false
        fi
    done
fi

if $drivers_built; then
    if output=$("$scratch/format_checks" 2>&1); then pass; else fail format "formatting checks" "$output"; fi
fi

# ---- checks on one rendering -------------------------------------------------------------

# check_text NAME FILE [WIDTH]: valid UTF-8, no control character but the new line, and
# (when WIDTH is given) no line wider than WIDTH columns.
check_text() {
    local name=$1 file=$2 width=${3:-}
    if [ ! -s "$file" ]; then fail "$name" "empty text report"; return; fi
    if ! iconv -f UTF-8 -t UTF-8 "$file" >/dev/null 2>&1; then fail "$name" "not valid UTF-8"; return; fi
    if ! LC_ALL=C tr -d '\000-\011\013-\037\177' <"$file" | cmp -s - "$file"; then
        fail "$name" "control characters in the text report"
        return
    fi
    if [ -n "$width" ]; then
        local widest
        widest=$(LC_ALL=C.UTF-8 wc -L <"$file")
        if [ "$widest" -gt "$width" ]; then
            fail "$name" "a line is $widest columns wide, more than $width" \
                "$(LC_ALL=C.UTF-8 awk -v w="$width" 'length($0) > w' "$file" | head -n 5)"
            return
        fi
    fi
    pass
}

# check_offline NAME HTML: the page refers to nothing outside itself. Names are escaped
# (no '<' from a name reaches the file), so every tag in the file is the writer's own.
check_offline() {
    local name=$1 html=$2 tags problem=
    local loads='(^|[[:space:]])(src|srcset|action|formaction|poster|data|background)[[:space:]]*='
    local links='(^|[[:space:]])(xlink:)?href[[:space:]]*=[[:space:]]*("[^"]*"|[^[:space:]>]*)'
    tags=$(grep -o '<[^>]*>' "$html")
    if grep -Eiq "$loads" <<<"$tags"; then
        problem="an element loads something: $(grep -Ei "$loads" <<<"$tags" | head -n 1)"
    elif grep -Eio "$links" <<<"$tags" | grep -Evq 'href="#[A-Za-z0-9_-]*"$'; then
        problem="a link leaves the page: $(grep -Eio "$links" <<<"$tags" | grep -Ev 'href="#' | head -n 1)"
    elif grep -Eiq 'url\(|@import|<(script|link|img|iframe|object|embed|base)[[:space:]>]' <<<"$tags"; then
        problem="a script, an embedded resource or a url() in the markup"
    elif grep -o '<style>[^<]*</style>' "$html" | grep -Eiq 'url\(|@import|@font-face'; then
        problem="the style sheet loads something"
    elif ! grep -q "content=\"default-src 'none'; style-src 'unsafe-inline'\"" "$html"; then
        problem="no Content Security Policy forbidding loads"
    elif ! iconv -f UTF-8 -t UTF-8 "$html" >/dev/null 2>&1; then
        problem="not valid UTF-8"
    fi
    if [ -n "$problem" ]; then fail "$name" "$problem"; else pass; fi
}

# count_of PATTERN FILE: how many times an extended regular expression occurs.
count_of() { grep -Eo "$1" "$2" | wc -l; }

# open_in_chromium HTML DOM LOG: loads the page headless; the DOM it built goes to DOM,
# the browser's log (console messages included) to LOG.
open_in_chromium() {
    mkdir -p "$scratch/home"
    HOME=$scratch/home XDG_CONFIG_HOME=$scratch/home XDG_CACHE_HOME=$scratch/home \
        timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-background-networking \
        --no-first-run --no-default-browser-check --disable-extensions --user-data-dir="$scratch/profile" \
        --enable-logging=stderr --v=0 --dump-dom "file://$1" >"$2" 2>"$3"
}

have_chromium=true
command -v chromium >/dev/null 2>&1 || have_chromium=false

# check_browser NAME HTML FUNNELS CONVERSIONS DAYS: opens the page in Chromium; fails
# on any console message, on charts other than expected (a count, or + for at least
# one), on elements lost or gained in parsing, and on elements a name could inject.
check_browser() {
    local name=$1 html=$2 dom=$scratch/dom.html log=$scratch/chromium.log
    if ! $have_chromium; then
        fail "$name" "chromium is not installed (scripts/install-deps.sh installs it); the page cannot be checked"
        return
    fi
    if ! open_in_chromium "$html" "$dom" "$log" || ! grep -q '</html>' "$dom"; then
        fail "$name" "chromium could not open the page" "$(tail -n 5 "$log")"
        return
    fi
    if grep -q ':CONSOLE' "$log"; then
        fail "$name" "console messages in chromium" "$(grep ':CONSOLE' "$log")"
        return
    fi
    local kind expected actual
    for kind in funnel:$3 conversion:$4 days:$5; do
        expected=${kind#*:}
        actual=$(count_of "<svg class=\"chart chart-${kind%%:*}\"" "$dom")
        if [ "$expected" = + ] && [ "$actual" -gt 0 ]; then continue; fi
        if [ "$expected" = + ] || [ "$actual" -ne "$expected" ]; then
            fail "$name" "the rendered page has $actual ${kind%%:*} charts, expected $expected"
            return
        fi
    done
    local element in_file in_dom
    for element in svg rect text path circle line g title table tr td th section h2 h3 dl; do
        in_file=$(count_of "<$element[ >]" "$html")
        in_dom=$(count_of "<$element[ >]" "$dom")
        if [ "$in_file" -ne "$in_dom" ]; then
            fail "$name" "the browser built $in_dom <$element> elements from $in_file in the file: the markup is broken"
            return
        fi
    done
    local smuggled='<(script|img|iframe|link|object|embed)[[:space:]>]|[[:space:]]on[a-z]+='
    if grep -Eo '<[^>]*>' "$dom" | grep -Eiq "$smuggled"; then
        fail "$name" "the rendered page holds an element or handler that is not the writer's"
        return
    fi
    pass
}

# The console check must see console errors: a page that logs one has to be caught.
control=$scratch/console-error.html
printf '<!DOCTYPE html><html><head><meta charset="utf-8"><title>x</title></head><body><p>x</p>%s</body></html>\n' \
    '<script>console.error("a console error the check must see")</script>' >"$control"
if $have_chromium && open_in_chromium "$control" "$scratch/control.dom" "$scratch/control.log"; then
    if grep -q ':CONSOLE.*a console error the check must see' "$scratch/control.log"; then
        pass
    else
        fail chromium "the browser's log does not show a page's console error; the console check would see nothing" \
            "$(tail -n 5 "$scratch/control.log")"
    fi
else
    fail chromium "chromium is missing or did not start: the HTML report cannot be checked in a browser"
fi

# ---- hand-built models -------------------------------------------------------------------

# case:width:funnel charts:conversion charts:day charts (width empty: names too long to fit)
models=(typical:79:2:2:1 empty:79:0:0:0 unknown:79:1:1:1 hostile::2:2:1 large::1:1:1)
if $drivers_built; then
    for entry in "${models[@]}"; do
        IFS=: read -r model width funnels conversions days <<<"$entry"
        for format in text html; do
            extension=${format/text/txt}
            out=$scratch/$model.$extension
            if ! "$scratch/model_driver" "$model" "$format" "$out" ||
                ! "$scratch/model_driver" "$model" "$format" "$out.2"; then
                fail "$model.$extension" "the writer failed"
                continue
            fi
            if cmp -s "$out" "$out.2"; then
                pass
            else
                fail "$model.$extension" "two renderings differ (not deterministic)"
            fi
            if "$scratch/model_driver" "$model" "$format" /dev/full 2>/dev/null; then
                fail "$model.$extension" "writing to /dev/full did not report an error"
            else
                pass
            fi
        done
        check_text "$model.txt" "$scratch/$model.txt" "$width"
        expected=tests/report/expected/$model.txt
        if [ -f "$expected" ]; then
            [ "${UPDATE:-}" = 1 ] && cp "$scratch/$model.txt" "$expected"
            if cmp -s "$expected" "$scratch/$model.txt"; then
                pass
            else
                fail "$model.txt" "differs from $expected" \
                    "$(diff -u --label "$expected" --label actual "$expected" "$scratch/$model.txt")"
            fi
        fi
        check_offline "$model.html" "$scratch/$model.html"
        check_browser "$model.html" "$scratch/$model.html" "$funnels" "$conversions" "$days"
    done

    # What each case must show, beyond the generic checks.
    hostile=$scratch/hostile.html
    if grep -qF '&lt;script&gt;alert(&quot;journey&quot;)&lt;/script&gt;' "$hostile" &&
        grep -qF '&quot;&gt;&lt;img src=x onerror=alert(1)&gt;' "$hostile" &&
        grep -qF "demo&#39; onmouseover=&#39;alert(2)" "$hostile" &&
        grep -qF 'e&lt;mail&gt;' "$hostile"; then
        pass
    else
        fail hostile.html "the hostile names are not all there, escaped"
    fi
    large=$scratch/large.txt
    if [ "$(grep -cE '^  20[0-9]{2}-[0-9]{2}-[0-9]{2} ' "$large")" -eq 400 ] && grep -q '^  all days ' "$large" &&
        [ "$(grep -cE '^ +[0-9]+  +(step|send|wait)' "$large")" -eq 200 ]; then
        pass
    else
        fail large.txt "expected 400 days and 200 funnel rows"
    fi
    if [ "$(count_of '<g><title>20[0-9]{2}-' "$scratch/large.html")" -eq 400 ]; then
        pass
    else
        fail large.html "expected a bar for each of the 400 days"
    fi
fi

# ---- examples through journey sim --report -----------------------------------------------

for example in onboarding abandoned_cart win_back; do
    for extension in txt html; do
        name=example-$example.$extension
        out=$scratch/$name
        ok=true
        for run in 1 2; do
            mkdir -p "$scratch/run$run"
            if ! output=$("$build/journey" sim "examples/$example.journey" "examples/$example.events.jsonl" --until +30d \
                --quiet -o /dev/null --report "$scratch/run$run/$name" 2>&1); then
                fail "$name" "journey sim --report failed" "$output"
                ok=false
                break
            fi
        done
        $ok || continue
        if cmp -s "$scratch/run1/$name" "$scratch/run2/$name"; then
            pass
        else
            fail "$name" "two runs differ (not deterministic)"
        fi
        mv "$scratch/run1/$name" "$out"
    done
    text=$scratch/example-$example.txt
    html=$scratch/example-$example.html
    [ -f "$text" ] && check_text "example-$example.txt" "$text" 79
    if [ -f "$html" ]; then
        journeys=$(grep -c '^Journey ' "$text" 2>/dev/null)
        [ "${journeys:-0}" -gt 0 ] || journeys=+
        check_offline "example-$example.html" "$html"
        check_browser "example-$example.html" "$html" "$journeys" "$journeys" +
    fi
done

echo "report: $passed passed, $failed failed"
[ $failed -eq 0 ]
