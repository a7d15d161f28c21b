" The Vim package's tests, run headless by tests/editors/run.sh:
"
"   vim -es -N -u NONE -i NONE -n --cmd 'set rtp^=ROOT/editors/vim'
"       --cmd 'let g:journey_test_root = ROOT' --cmd 'let g:journey_test_output = FILE'
"       --cmd 'let g:journeyc_program = JOURNEYC' -S tests/editors/vim/run-tests.vim
"
" Each test writes "PASS name" or "FAIL name" followed by indented details to
" g:journey_test_output (vim -es shows no messages).
"
"   highlighting  every annotated sample (tests/editors/samples): the syntax group at
"                 each asserted position, through tests/editors/highlight-classes.tsv
"   indent        every file of tests/editors/indent, flattened and re-indented with =
"   filetype      *.journey is detected; comments and the compiler are set
"   quickfix      :make on tests/editors/fixtures/diagnostics.journey gives exactly its
"                 `// expect:` diagnostics, at character columns turned into Vim's

set nocompatible
filetype plugin indent on
syntax on

let s:root = g:journey_test_root
let s:results = []

function! s:Report(name, failures) abort
  call add(s:results, (empty(a:failures) ? 'PASS ' : 'FAIL ') . a:name)
  call extend(s:results, map(copy(a:failures), '"    " . v:val'))
endfunction

" Runs test function Function(argument) and reports its failures; an exception fails it.
function! s:Run(name, Function, argument) abort
  try
    let failures = a:Function(a:argument)
  catch
    let failures = ['exception: ' . v:exception . ' at ' . v:throwpoint]
  endtry
  call s:Report(a:name, failures)
endfunction

" ---- highlighting ------------------------------------------------------------------

" scope -> Vim syntax group, from highlight-classes.tsv.
function! s:ReadClasses() abort
  let classes = {}
  for line in readfile(s:root . '/tests/editors/highlight-classes.tsv')
    if line =~# '^#' || line =~# '^\s*$'
      continue
    endif
    let [scope, group, _] = split(line, '\t')
    let classes[scope] = group
  endfor
  return classes
endfunction

" Parses a sample the way vscode-tmgrammar-test does: the header names the comment
" token; a comment line of carets or <- arrows asserts scopes on the source line above
" it and is not part of the source. Returns [source lines, file line numbers of them,
" assertions {line (index into source), from, to (character columns), required,
" excluded}].
function! s:ParseSample(path) abort
  let lines = readfile(a:path)
  let header = matchlist(get(lines, 0, ''), '^\(\S\+\)\s\+SYNTAX\s\+TEST\s\+"\([^"]\+\)"')
  if empty(header)
    throw a:path . ': the first line is not a SYNTAX TEST header'
  endif
  let token = header[1]
  let source = []
  let file_lines = []
  let assertions = []
  for index in range(1, len(lines) - 1)
    let line = lines[index]
    let rest = line[len(token):]
    if line[: len(token) - 1] !=# token || rest !~# '^\s*\%(\^\|<\~*-\+\)'
      call add(source, line)
      call add(file_lines, index + 1)
      continue
    endif
    let words = []
    let ranges = []
    if rest =~# '^\s*\^'
      let start = match(rest, '\^')
      while start >= 0
        let length = strlen(matchstr(rest, '\^\+', start))
        call add(ranges, [len(token) + start, len(token) + start + length])
        let start = match(rest, '\^', start + length)
      endwhile
      let words = split(substitute(rest, '\^', ' ', 'g'))
    else
      let arrow = matchlist(rest, '^\s*<\(\~*\)\(-\+\)\(.*\)$')
      call add(ranges, [len(arrow[1]), len(arrow[1]) + len(arrow[2])])
      let words = split(arrow[3])
    endif
    let dash = index(words, '-')
    let required = dash < 0 ? words : dash == 0 ? [] : words[: dash - 1]
    let excluded = dash < 0 ? [] : words[dash + 1 :]
    for [from, to] in ranges
      call add(assertions, {'line': len(source) - 1, 'from': from, 'to': to,
            \ 'required': required, 'excluded': excluded})
    endfor
  endfor
  return [source, file_lines, assertions]
endfunction

function! s:TestHighlighting(path) abort
  let classes = s:ReadClasses()
  let [source, file_lines, assertions] = s:ParseSample(a:path)
  enew!
  call setline(1, source)
  setfiletype journey
  let failures = []
  for assertion in assertions
    let expected = ''
    for scope in assertion.required
      let expected = get(classes, scope, expected)
    endfor
    let unwanted = filter(map(copy(assertion.excluded), 'get(classes, v:val, "")'), '!empty(v:val)')
    if empty(expected) && empty(unwanted)
      continue
    endif
    let text = source[assertion.line]
    for column in range(assertion.from, assertion.to - 1)
      let byte = byteidx(text, column)
      let group = synIDattr(synID(assertion.line + 1, byte + 1, 1), 'name')
      let where = fnamemodify(a:path, ':t') . ':' . file_lines[assertion.line] . ':' . (column + 1)
      if !empty(expected) && group !=# expected
        call add(failures, printf('%s: expected %s, got %s (%s)', where, expected,
              \ empty(group) ? 'no group' : group, join(assertion.required)))
        break
      endif
      if index(unwanted, group) >= 0
        call add(failures, printf('%s: %s, which the sample excludes (- %s)', where, group,
              \ join(assertion.excluded)))
        break
      endif
    endfor
  endfor
  bwipeout!
  return failures
endfunction

" ---- indentation -------------------------------------------------------------------

function! s:TestIndent(path) abort
  let expected = readfile(a:path)
  execute 'edit! ' . fnameescape(a:path)
  %substitute/^\s\+//e
  normal! gg=G
  let actual = getline(1, '$')
  bwipeout!
  let failures = []
  for index in range(len(expected))
    if get(actual, index, '') !=# expected[index]
      call add(failures, printf('%s:%d: expected "%s", got "%s"', fnamemodify(a:path, ':t'),
            \ index + 1, expected[index], get(actual, index, '')))
    endif
  endfor
  return failures
endfunction

" ---- file type, comments, compiler -------------------------------------------------

function! s:TestFiletype(path) abort
  execute 'edit! ' . fnameescape(a:path)
  let failures = []
  let expected = {'&filetype': 'journey', '&commentstring': '// %s', '&expandtab': 1,
        \ '&shiftwidth': 4, '&indentexpr': 'GetJourneyIndent(v:lnum)',
        \ 'b:current_syntax': 'journey', 'b:current_compiler': 'journeyc'}
  for [name, value] in items(expected)
    let actual = exists(name) ? eval(name) : '(unset)'
    if actual !=# value
      call add(failures, printf('%s is %s, expected %s', name, string(actual), string(value)))
    endif
  endfor
  if &l:makeprg !~# 'journeyc.* check --color=never \$\* %:S$'
    call add(failures, 'makeprg is ' . &l:makeprg)
  endif
  bwipeout!
  return failures
endfunction

" ---- :make and the quickfix list ---------------------------------------------------

function! s:TestQuickfix(path) abort
  let expected = map(filter(readfile(a:path), 'v:val =~# "^// expect: "'), 'v:val[11:]')
  execute 'edit! ' . fnameescape(a:path)
  " Keep journeyc's output off the terminal: only the quickfix list matters here.
  let &shellpipe = '>%s 2>&1'
  silent make!
  let type_words = {'e': 'error', 'w': 'warning', 'n': 'note'}
  let text = getline(1, '$')
  let actual = []
  for item in getqflist()
    if !item.valid
      continue
    endif
    " Back from Vim's byte index to journeyc's character column, to compare.
    let column = strchars(strpart(text[item.lnum - 1], 0, item.col - 1)) + 1
    call add(actual, printf('%d:%d: %s: %s', item.lnum, column, get(type_words, item.type, item.type),
          \ item.text))
    if bufname(item.bufnr) !=# bufname('%')
      call add(actual, 'in another buffer: ' . bufname(item.bufnr))
    endif
  endfor
  let failures = []
  for line in expected
    if index(actual, line) < 0
      call add(failures, 'missing:    ' . line)
    endif
  endfor
  for line in actual
    if index(expected, line) < 0
      call add(failures, 'unexpected: ' . line)
    endif
  endfor
  bwipeout!
  return failures
endfunction

for s:sample in sort(glob(s:root . '/tests/editors/samples/*.journey', 0, 1))
  call s:Run('vim highlighting ' . fnamemodify(s:sample, ':t'), function('s:TestHighlighting'), s:sample)
endfor
for s:sample in sort(glob(s:root . '/tests/editors/indent/*.journey', 0, 1))
  call s:Run('vim indent ' . fnamemodify(s:sample, ':t'), function('s:TestIndent'), s:sample)
endfor
call s:Run('vim filetype, comments and compiler', function('s:TestFiletype'),
      \ s:root . '/tests/editors/fixtures/diagnostics.journey')
call s:Run('vim :make fills the quickfix list', function('s:TestQuickfix'),
      \ s:root . '/tests/editors/fixtures/diagnostics.journey')

call writefile(s:results, g:journey_test_output)
qall!
