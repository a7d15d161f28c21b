#!/usr/bin/env node
// check-extension.js JOURNEYC: the VS Code extension's checks beyond its grammar
// (which vscode-tmgrammar-test checks on tests/editors/samples). Node's standard
// library only. Prints "PASS name" or "FAIL name" with indented details per check;
// exits 1 when any failed.
//
//   manifest              package.json names the files it contributes, and they exist
//                         with the scope names it gives
//   language configuration  the comment tokens are the lexer's; the indentation rules,
//                         applied the way VS Code re-indents, reproduce every file of
//                         tests/editors/indent
//   snippet NAME          the snippet, expanded with its default text, checks clean with
//                         journeyc after snippet-harness.journey, as a declaration or as
//                         statements of a journey
'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawnSync } = require('child_process');

const root = path.resolve(__dirname, '../../..');
const extension = path.join(root, 'editors/vscode');
const journeyc = process.argv[2];
if (!journeyc) {
    console.error('usage: check-extension.js JOURNEYC');
    process.exit(64);
}

let failed = 0;
function report(name, failures) {
    console.log(`${failures.length ? 'FAIL' : 'PASS'} ${name}`);
    for (const failure of failures) console.log(`    ${failure}`);
    if (failures.length) failed++;
}

// Runs check(failures) and reports what it added; an exception is a failure too.
function run(name, check) {
    const failures = [];
    try {
        check(failures);
    } catch (error) {
        failures.push(`exception: ${error.message}`);
    }
    report(name, failures);
}

function readJson(file) {
    return JSON.parse(fs.readFileSync(path.join(extension, file), 'utf8'));
}

const manifest = readJson('package.json');

run('vscode manifest', (failures) => {
    const language = (manifest.contributes.languages || []).find((entry) => entry.id === 'journey');
    if (!language) return failures.push('no language "journey"');
    if (!(language.extensions || []).includes('.journey')) failures.push('.journey is not a file extension of it');
    for (const entry of manifest.contributes.grammars || []) {
        const grammar = readJson(entry.path);
        if (grammar.scopeName !== entry.scopeName) {
            failures.push(`${entry.path}: scopeName ${grammar.scopeName}, package.json says ${entry.scopeName}`);
        }
    }
    const scopes = (manifest.contributes.grammars || []).map((entry) => entry.scopeName);
    for (const scope of ['source.journey', 'source.journey.keywords']) {
        if (!scopes.includes(scope)) failures.push(`no grammar for ${scope}`);
    }
    for (const entry of manifest.contributes.snippets || []) readJson(entry.path);
    readJson(language.configuration);
    if (!manifest.devDependencies || !manifest.devDependencies['vscode-tmgrammar-test']) {
        failures.push('vscode-tmgrammar-test is not a devDependency');
    }
});

// ---- language configuration -------------------------------------------------------

const configuration = readJson('language-configuration.json');

run('vscode language configuration: comments and brackets', (failures) => {
    const comments = configuration.comments || {};
    if (comments.lineComment !== '//') failures.push(`lineComment is ${comments.lineComment}, the lexer's is //`);
    if (JSON.stringify(comments.blockComment) !== '["/*","*/"]') {
        failures.push(`blockComment is ${JSON.stringify(comments.blockComment)}, the lexer's is /* */`);
    }
    const brackets = JSON.stringify(configuration.brackets);
    if (brackets !== '[["{","}"],["[","]"],["(",")"]]') failures.push(`brackets are ${brackets}`);
});

// VS Code's re-indentation: a line goes one level deeper than the line before when that
// one matches increaseIndentPattern, one level back when it matches decreaseIndentPattern.
function reindent(lines, rules) {
    const increase = new RegExp(rules.increaseIndentPattern);
    const decrease = new RegExp(rules.decreaseIndentPattern);
    let previous = null;
    let level = 0;
    return lines.map((line) => {
        const text = line.trim();
        if (text === '') return '';
        if (previous !== null && increase.test(previous)) level++;
        if (decrease.test(text)) level = Math.max(0, level - 1);
        previous = text;
        return '    '.repeat(level) + text;
    });
}

const indentDirectory = path.join(root, 'tests/editors/indent');
for (const file of fs.readdirSync(indentDirectory).filter((name) => name.endsWith('.journey')).sort()) {
    run(`vscode indentation rules ${file}`, (failures) => {
        const expected = fs.readFileSync(path.join(indentDirectory, file), 'utf8').split('\n');
        const actual = reindent(expected, configuration.indentationRules);
        expected.forEach((line, index) => {
            if (actual[index] !== line) {
                failures.push(`${file}:${index + 1}: expected ${JSON.stringify(line)}, got ${JSON.stringify(actual[index])}`);
            }
        });
    });
}

// ---- snippets ---------------------------------------------------------------------

// The text a snippet body inserts when every placeholder keeps its default: ${1:text}
// gives text (expanded in turn), ${1|a,b|} its first choice, $1 and ${1} nothing; \$,
// \} and \\ are the characters themselves; a tab is four spaces (the house style).
function expandSnippet(body) {
    let position = 0;
    function expand(stopAtBrace) {
        let out = '';
        while (position < body.length) {
            const character = body[position];
            if (character === '\\' && position + 1 < body.length && '$}\\,|'.includes(body[position + 1])) {
                out += body[position + 1];
                position += 2;
            } else if (stopAtBrace && character === '}') {
                position++;
                return out;
            } else if (character === '$') {
                const simple = /^\$(\d+|[A-Za-z_]\w*)/.exec(body.slice(position));
                const choice = /^\$\{\d+\|((?:[^,|\\]|\\.)*)[,|]/.exec(body.slice(position));
                const placeholder = /^\$\{(\d+|[A-Za-z_]\w*):/.exec(body.slice(position));
                const bare = /^\$\{(\d+|[A-Za-z_]\w*)\}/.exec(body.slice(position));
                if (simple) {
                    position += simple[0].length;
                } else if (bare) {
                    position += bare[0].length;
                } else if (choice) {
                    out += choice[1].replace(/\\(.)/g, '$1');
                    position = body.indexOf('|}', position) + 2;
                } else if (placeholder) {
                    position += placeholder[0].length;
                    out += expand(true);
                } else {
                    throw new Error(`cannot read the snippet at "${body.slice(position, position + 20)}"`);
                }
            } else {
                out += character;
                position++;
            }
        }
        if (stopAtBrace) throw new Error('a placeholder is not closed');
        return out;
    }
    return expand(false).replace(/\t/g, '    ');
}

// Checks source with journeyc; returns its output, or null when it checks clean.
function check(source, scratch) {
    const file = path.join(scratch, 'snippet.journey');
    fs.writeFileSync(file, source);
    const result = spawnSync(journeyc, ['check', '--color=never', file], { encoding: 'utf8' });
    if (result.error) throw result.error;
    return result.status === 0 && result.stderr === '' && result.stdout === '' ? null : result.stderr + result.stdout;
}

const harness = fs.readFileSync(path.join(__dirname, 'snippet-harness.journey'), 'utf8');
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'journey-snippets-'));
try {
    for (const entry of manifest.contributes.snippets || []) {
        const snippets = readJson(entry.path);
        for (const [name, snippet] of Object.entries(snippets)) {
            run(`vscode snippet ${name}`, (failures) => {
                const body = Array.isArray(snippet.body) ? snippet.body.join('\n') : snippet.body;
                const text = expandSnippet(body);
                const asDeclaration = check(`${harness}${text}\n`, scratch);
                if (asDeclaration === null) return;
                const indented = text.replace(/^(?=.)/gm, '    ');
                const asStatements = check(`${harness}journey snippet_test {\n    entry signed_up\n${indented}\n}\n`, scratch);
                if (asStatements === null) return;
                failures.push(`expanded: ${JSON.stringify(text)}`);
                failures.push('as a declaration:', ...asDeclaration.trim().split('\n'));
                failures.push('in a journey:', ...asStatements.trim().split('\n'));
            });
        }
    }
} finally {
    fs.rmSync(scratch, { recursive: true, force: true });
}

process.exit(failed ? 1 : 0);
