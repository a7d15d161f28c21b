#!/bin/sh
# install-bench-deps.sh: installs the Debian packages that `make bench` needs beyond the
# build's own (scripts/install-deps.sh): the Lua peer of the benchmark. Kept apart so
# that `make` and `make test` never install or wait for them.
# Idempotent and silent when everything is there; uses sudo when not root.
# Set JOURNEY_SKIP_DEPS=1 to skip (for machines that provide the tools another way).
set -eu

[ "${JOURNEY_SKIP_DEPS:-0}" = 1 ] && exit 0

# One line per package, with what needs it.
packages="
lua5.4           the peer: the reference journeys written in Lua 5.4 (bench/lua/)
lua-cjson        the peer's JSON parser: a C module, the fastest JSON reader Debian has for Lua 5.4
"

if ! command -v dpkg-query >/dev/null 2>&1; then
    echo "install-bench-deps: not a Debian system; install these yourself:" >&2
    echo "$packages" | awk 'NF { print "  " $1 }' >&2
    exit 0
fi

missing=""
for package in $(echo "$packages" | awk 'NF { print $1 }'); do
    status=$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null || true)
    case "$status" in
        *"install ok installed"*) ;;
        *) missing="$missing $package" ;;
    esac
done
[ -z "$missing" ] && exit 0

echo "install-bench-deps: installing$missing" >&2
if [ "$(id -u)" = 0 ]; then
    run() { "$@"; }
elif command -v sudo >/dev/null 2>&1; then
    run() { sudo -n "$@"; }
else
    echo "install-bench-deps: need root or sudo to install:$missing" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
run apt-get update -qq >&2
# shellcheck disable=SC2086
run apt-get install -y -qq --no-install-recommends $missing >&2
