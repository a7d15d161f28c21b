#!/bin/sh
# editors/install-deps.sh [--check]: installs the VS Code extension's development
# dependency (vscode-tmgrammar-test, which runs the grammar tests) with `npm ci`, from
# the committed package-lock.json, when editors/vscode/node_modules is missing or was
# installed from another lock file. Silent when there is nothing to do. `make deps`
# runs it; with --check it installs nothing and exits 1 when an install is due (the
# editor tests use that, since tests download nothing).
set -eu

extension=$(cd "$(dirname "$0")/vscode" && pwd)
# A copy of the lock file node_modules was installed from.
stamp=$extension/node_modules/.journey-installed-from-package-lock.json

if [ -f "$stamp" ] && cmp -s "$stamp" "$extension/package-lock.json"; then
    exit 0
fi
case "${1:-}" in
    --check)
        echo "editors/vscode/node_modules is missing or stale: run make deps (editors/install-deps.sh)" >&2
        exit 1 ;;
    '') ;;
    *) echo "usage: editors/install-deps.sh [--check]" >&2; exit 64 ;;
esac
if ! command -v npm >/dev/null 2>&1; then
    echo "editors/install-deps: npm is missing (scripts/install-deps.sh installs it)" >&2
    exit 1
fi
echo "editors/install-deps: npm ci in $extension" >&2
(cd "$extension" && npm ci --no-audit --no-fund --loglevel=error >&2)
cp "$extension/package-lock.json" "$stamp"
