#!/bin/sh
# install-deps.sh: installs the Debian packages the build and the tests need.
# Idempotent and silent when everything is there; uses sudo when not root.
# Set JOURNEY_SKIP_DEPS=1 to skip (for machines that provide the tools another way).
set -eu

[ "${JOURNEY_SKIP_DEPS:-0}" = 1 ] && exit 0

# One line per package, with what needs it.
packages="
re2c             lexer generator (compiler/lexer.re)
bison            parser generator (compiler/parser.y)
make             the build
gcc              the C compiler
g++              the simdjson adapter (C++)
clang            libFuzzer targets (make fuzz)
libclang-rt-14-dev  the fuzzer and sanitizer runtimes for clang
pkg-config       finding libraries
libcmocka-dev    unit tests
libffi-dev       extern native functions
libsqlite3-dev   durable state for journey run
libsimdjson-dev  JSON Lines event reader
zlib1g-dev       .jsonl.gz event logs
tzdata           time zones for wait until and quiet hours (/usr/share/zoneinfo)
graphviz         journeyc graph: dot lays out and renders the journey map
libxml2-utils    xmllint: the map tests check the SVG is well-formed
chromium         the HTML report is checked in a real browser (headless)
vim-nox          the Vim package's tests (vim -es)
emacs-nox        the Emacs package's tests (ERT in batch mode)
"

if ! command -v dpkg-query >/dev/null 2>&1; then
    echo "install-deps: not a Debian system; install these yourself:" >&2
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
# Node.js and npm run the VS Code grammar's tests; a machine may have them from
# elsewhere (nodesource), so look for the commands, not for Debian's packages.
command -v node >/dev/null 2>&1 || missing="$missing nodejs"
command -v npm >/dev/null 2>&1 || missing="$missing npm"
[ -z "$missing" ] && exit 0

echo "install-deps: installing$missing" >&2
if [ "$(id -u)" = 0 ]; then
    run() { "$@"; }
elif command -v sudo >/dev/null 2>&1; then
    run() { sudo -n "$@"; }
else
    echo "install-deps: need root or sudo to install:$missing" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
run apt-get update -qq >&2
# shellcheck disable=SC2086
run apt-get install -y -qq --no-install-recommends $missing >&2
