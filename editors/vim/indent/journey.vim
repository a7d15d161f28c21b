" Vim indent file for the journey language: one shiftwidth per open brace, bracket or
" parenthesis; a line that starts with closers moves back one level for each. Brackets
" inside strings and comments do not count (when syntax highlighting is on); lines
" inside a block comment keep their indentation.

if exists('b:did_indent')
  finish
endif
let b:did_indent = 1

setlocal indentexpr=GetJourneyIndent(v:lnum)
setlocal indentkeys=0{,0},0),0],!^F,o,O,e
setlocal autoindent nosmartindent nocindent
let b:undo_indent = 'setlocal indentexpr< indentkeys< autoindent< smartindent< cindent<'

if exists('*GetJourneyIndent')
  finish
endif
let s:cpo_save = &cpoptions
set cpoptions&vim

" Is the character at (lnum, col) code, not in a string or a comment? An interpolation
" counts as string: its braces balance on their own.
function! s:IsCode(lnum, col) abort
  if !exists('b:current_syntax')
    return 1
  endif
  for id in synstack(a:lnum, a:col)
    if synIDattr(id, 'name') =~# '^journey\%(String\|Comment\)$'
      return 0
    endif
  endfor
  return 1
endfunction

" The number of closing brackets that start line lnum ('}', '} ]', ...).
function! s:LeadingClosers(lnum) abort
  let line = getline(a:lnum)
  let closers = 0
  let col = match(line, '\S')
  while col >= 0 && line[col] =~# '[\]})]' && s:IsCode(a:lnum, col + 1)
    let closers += 1
    let col = match(line, '\S', col + 1)
  endwhile
  return closers
endfunction

" Brackets opened minus brackets closed on line lnum.
function! s:BracketBalance(lnum) abort
  let line = getline(a:lnum)
  let balance = 0
  " Without a quote or a slash, no string or comment starts or ends on the line: one
  " look at the syntax tells for all its brackets (this keeps gg=G fast).
  let uniform = line !~# '["/]'
  let col = match(line, '[\[\](){}]')
  let is_code = uniform && col >= 0 ? s:IsCode(a:lnum, col + 1) : 1
  while col >= 0
    if uniform ? is_code : s:IsCode(a:lnum, col + 1)
      let balance += line[col] =~# '[\[({]' ? 1 : -1
    endif
    let col = match(line, '[\[\](){}]', col + 1)
  endwhile
  return balance
endfunction

function! GetJourneyIndent(lnum) abort
  let first = match(getline(a:lnum), '\S')
  if first >= 0 && exists('b:current_syntax') && getline(a:lnum) !~# '^\s*/[/*]'
        \ && synIDattr(synID(a:lnum, first + 1, 0), 'name') ==# 'journeyComment'
    return -1
  endif
  let previous = prevnonblank(a:lnum - 1)
  if previous == 0
    return 0
  endif
  " The previous line's leading closers were already taken off its own indent.
  let opened = s:BracketBalance(previous) + s:LeadingClosers(previous)
  return max([0, indent(previous) + shiftwidth() * (opened - s:LeadingClosers(a:lnum))])
endfunction

let &cpoptions = s:cpo_save
unlet s:cpo_save
