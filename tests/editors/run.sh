#!/usr/bin/env bash
# tests/editors/run.sh BUILD: the tests of the editor packages in editors/.
#
#   keyword lists  editors/generate-keywords, run into a scratch directory with
#                  BUILD/journeyc, must reproduce the committed lists (one test per
#                  editor, and one for the every-keyword sample)
#   Vim            tests/editors/vim/run-tests.vim in vim -es: highlighting of every
#                  sample, indentation, file type and :make into the quickfix list
#   Emacs          tests/editors/emacs/journey-mode-tests.el, ERT in batch mode: the
#                  same, with M-x compile and next-error
#   VS Code        vscode-tmgrammar-test on every sample (make deps installs it with
#                  editors/install-deps.sh), and tests/editors/vscode/check-extension.js
#
# The samples (tests/editors/samples/*.journey) are annotated for vscode-tmgrammar-test;
# the Vim and Emacs tests read the same annotations through highlight-classes.tsv.
# A missing vim, emacs or node fails the suite: nothing is skipped.
# Prints one line per failure and ends with "editors: N passed, N failed".
set -u
build=${1:?usage: run.sh BUILD_DIR}
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root" || exit 2
journeyc=$(cd "$build" 2>/dev/null && pwd)/journeyc
passed=0
failed=0

fail() {
    failed=$((failed + 1))
    printf 'FAIL %s\n' "$1"
    [ -n "${2:-}" ] && printf '%s\n' "$2" | sed 's/^/    /'
}

# Counts the "PASS name" and "FAIL name" lines (failures with their indented details)
# that the Vim and VS Code checks print.
count_results() {
    local line detail= name=
    while IFS= read -r line; do
        case $line in
            'PASS '*) passed=$((passed + 1)) ;;
            'FAIL '*) [ -n "$name" ] && fail "$name" "$detail"; name=${line#FAIL } detail= ;;
            '    '*) detail+="${detail:+$'\n'}${line#    }" ;;
        esac
    done <<<"$1"
    [ -n "$name" ] && fail "$name" "$detail"
}

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

if [ ! -x "$journeyc" ]; then
    fail "no $build/journeyc: build it first (make)"
    echo "editors: $passed passed, $failed failed"
    exit 1
fi

# ---- the keyword lists are generated from journeyc and committed ---------------------

if ! output=$(editors/generate-keywords "$journeyc" "$scratch/generated" 2>&1); then
    fail "editors/generate-keywords failed" "$output"
else
    for pair in "Vim:editors/vim/autoload/journey/keywords.vim" \
                "Emacs:editors/emacs/journey-keywords.el" \
                "VS Code:editors/vscode/syntaxes/journey-keywords.tmLanguage.json" \
                "the every-keyword sample:tests/editors/samples/keywords.journey"; do
        editor=${pair%%:*} file=${pair#*:}
        if cmp -s "$file" "$scratch/generated/$file"; then
            passed=$((passed + 1))
        else
            fail "the keyword list of $editor is stale: run editors/generate-keywords $build/journeyc" \
                "$(diff -u --label "$file" --label generated "$file" "$scratch/generated/$file" | head -n 20)"
        fi
    done
fi

# ---- Vim ---------------------------------------------------------------------------

if ! command -v vim >/dev/null 2>&1; then
    fail "vim is missing (make deps installs vim-nox)"
else
    results=$scratch/vim-results
    output=$(vim -es -N -u NONE -i NONE -n --cmd "set runtimepath^=$root/editors/vim" \
        --cmd "let g:journey_test_root = '$root'" --cmd "let g:journey_test_output = '$results'" \
        --cmd "let g:journeyc_program = '$journeyc'" -S tests/editors/vim/run-tests.vim </dev/null 2>&1)
    status=$?
    if [ -s "$results" ]; then
        count_results "$(cat "$results")"
    else
        fail "vim ran no test (exit status $status)" "$output"
    fi
fi

# ---- Emacs -------------------------------------------------------------------------

if ! command -v emacs >/dev/null 2>&1; then
    fail "emacs is missing (make deps installs emacs-nox)"
else
    output=$(JOURNEYC=$journeyc emacs -Q --batch -L editors/emacs -l tests/editors/emacs/journey-mode-tests.el \
        --eval '(setq ert-batch-backtrace-right-margin 0)' -f ert-run-tests-batch-and-exit 2>&1)
    status=$?
    ran=$(grep -cE '^ +(passed|FAILED) +[0-9]+/[0-9]+ ' <<<"$output")
    passed=$((passed + $(grep -cE '^ +passed +[0-9]+/[0-9]+ ' <<<"$output")))
    while IFS= read -r name; do
        # ERT prints each failure's condition before its FAILED line.
        fail "emacs $name" "$(sed -n "/^Test $(sed 's/[][\\.*^$/]/\\&/g' <<<"$name") condition:/,/FAILED/p" <<<"$output" |
            grep -v 'FAILED')"
    done < <(sed -nE 's/^ +FAILED +[0-9]+\/[0-9]+ +([^ ]+).*/\1/p' <<<"$output")
    if [ "$ran" -eq 0 ] || { [ $status -ne 0 ] && ! grep -qE '^ +FAILED ' <<<"$output"; }; then
        fail "emacs: the ERT run failed (exit status $status)" "$(tail -n 20 <<<"$output")"
    fi
fi

# ---- VS Code -----------------------------------------------------------------------

if ! command -v node >/dev/null 2>&1; then
    fail "node is missing (make deps installs nodejs and npm)"
else
    if ! output=$(editors/install-deps.sh --check 2>&1); then
        fail "vscode-tmgrammar-test is not installed" "$output"
    else
        for sample in tests/editors/samples/*.journey; do
            # A malformed assertion can make the tool's own parser backtrack for ever.
            output=$(cd editors/vscode && timeout 120 node_modules/.bin/vscode-tmgrammar-test --compact \
                "../../$sample" 2>&1)
            if [ $? -eq 0 ]; then
                passed=$((passed + 1))
            else
                fail "vscode highlighting $(basename "$sample")" "$output"
            fi
        done
    fi
    output=$(node tests/editors/vscode/check-extension.js "$journeyc" 2>&1)
    status=$?
    count_results "$output"
    if [ $status -ne 0 ] && ! grep -q '^FAIL ' <<<"$output"; then
        fail "tests/editors/vscode/check-extension.js exited with status $status" "$output"
    fi
fi

echo "editors: $passed passed, $failed failed"
[ $failed -eq 0 ]
