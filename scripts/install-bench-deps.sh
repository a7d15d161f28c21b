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

. "$(dirname "$0")/apt-packages.sh"
install_packages install-bench-deps "$packages"
