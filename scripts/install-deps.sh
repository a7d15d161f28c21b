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
libmicrohttpd-dev  journey run's HTTP endpoint (Segment's tracking API)
libcurl4-openssl-dev  journey run's webhook sink
curl             the tests of journey run post to its HTTP endpoint
sqlite3          the tests look at journey run's state as an operator would
libsimdjson-dev  JSON Lines event reader
zlib1g-dev       .jsonl.gz event logs
tzdata           time zones for wait until and quiet hours (/usr/share/zoneinfo)
graphviz         journeyc graph: dot lays out and renders the journey map
libxml2-utils    xmllint: the map tests check the SVG is well-formed
chromium         the HTML report is checked in a real browser (headless)
vim-nox          the Vim package's tests (vim -es)
emacs-nox        the Emacs package's tests (ERT in batch mode)
"

extra=""
# Node.js and npm run the VS Code grammar's tests; a machine may have them from
# elsewhere (nodesource), so look for the commands, not for Debian's packages.
command -v node >/dev/null 2>&1 || extra="$extra nodejs"
command -v npm >/dev/null 2>&1 || extra="$extra npm"
. "$(dirname "$0")/apt-packages.sh"
# shellcheck disable=SC2086
install_packages install-deps "$packages" $extra
