" Vim syntax file
" Language:    journey (marketing journeys as code), spec/language.md section 1
" Keywords:    autoload/journey/keywords.vim, generated from `journeyc keywords`

if exists('b:current_syntax')
  finish
endif
let s:cpo_save = &cpoptions
set cpoptions&vim

syntax case match
" Identifiers are ASCII only: [a-zA-Z_][a-zA-Z0-9_]*.
syntax iskeyword a-z,A-Z,48-57,_
syntax spell notoplevel

" Items that start at the same column: the one defined last wins. So the keywords come
" first, then the rules that make a name after '.' or before ':' a field, and among the
" literals the bad-number token first (the lexer reads the longest token).

" Keywords, one syntax group per group of compiler/keywords.h (journeyDeclaration, ...).
for [s:group, s:words] in items(journey#keywords#groups())
  execute 'syntax match journey' . toupper(s:group[0]) . s:group[1:]
        \ '"\<\%(' . join(s:words, '\|') . '\)\>"'
endfor
unlet s:group s:words

" A field, payload key or declared name, even when spelled like a keyword (o.value,
" { step: 1 }, event e { time: time }).
syntax match journeyMember "\%(\.\s*\)\@<=\h\w*"
syntax match journeyMember "\<\h\w*\ze\s*:"

" Literals (spec 1.5 to 1.9).
syntax match journeyInvalidNumber "\<\d[0-9A-Za-z_.]*"
syntax match journeyNumber "\<\d\%(_\=\d\)*\%(\.\d\%(_\=\d\)*\)\=\%([eE][+-]\=\d\%(_\=\d\)*\)\=[0-9A-Za-z_.]\@!"
" A sign right before a plain number, after white space, an opening bracket, a comma,
" a colon or '=', belongs to the number (spec 1.6).
syntax match journeyNumber "\%(^\|[ \t([{,:=]\@1<=\)[+-]\d\%(_\=\d\)*\%(\.\d\%(_\=\d\)*\)\=\%([eE][+-]\=\d\%(_\=\d\)*\)\=[0-9A-Za-z_.%]\@!"
syntax match journeyDuration "\<\%(\d\%(_\=\d\)*[smhdw]\)\+[0-9A-Za-z_.]\@!"
syntax match journeyPercentage "\<\d\%(_\=\d\)*\%(\.\d\%(_\=\d\)*\)\=\%([eE][+-]\=\d\%(_\=\d\)*\)\=%"
syntax match journeyTime "\<\d\{1,2}:\d\d\%(:\d\d\)\="

" Strings: one line each, with escapes and {expression} interpolation; braces inside an
" interpolation are counted, so only the matching one closes it.
syntax cluster journeyCode contains=journeyDeclaration,journeyClause,journeyStatement,journeyOperator,
      \journeyConstant,journeyType,journeyMember,journeyInvalidNumber,journeyNumber,journeyDuration,
      \journeyPercentage,journeyTime,journeyString,journeyComment
syntax region journeyString start=+"+ end=+"+ end=+$+
      \ contains=journeyInvalidEscape,journeyEscape,journeyInterpolation,@Spell
syntax match journeyInvalidEscape +\\.\=+ contained
syntax match journeyEscape +\\\%([ntr\\"{}]\|u{\x\{1,6}}\)+ contained
syntax region journeyInterpolation matchgroup=journeyInterpolationDelimiter start=+{+ end=+}+ contained
      \ contains=@journeyCode,journeyNestedBraces
syntax region journeyNestedBraces start=+{+ end=+}+ contained transparent contains=@journeyCode,journeyNestedBraces

" Comments: // to the end of the line; /* to the first */ (they do not nest).
syntax region journeyComment start=+//+ end=+$+ contains=@Spell
syntax region journeyComment start=+/\*+ end=+\*/+ contains=@Spell

highlight default link journeyDeclaration Structure
highlight default link journeyClause Keyword
highlight default link journeyStatement Statement
highlight default link journeyOperator Operator
highlight default link journeyConstant Constant
highlight default link journeyType Type
highlight default link journeyNumber Number
highlight default link journeyDuration Number
highlight default link journeyPercentage Number
highlight default link journeyTime Number
highlight default link journeyInvalidNumber Error
highlight default link journeyString String
highlight default link journeyEscape SpecialChar
highlight default link journeyInvalidEscape Error
highlight default link journeyInterpolationDelimiter Delimiter
highlight default link journeyComment Comment
" journeyMember is left plain: a field must not look like a keyword.

let b:current_syntax = 'journey'
let &cpoptions = s:cpo_save
unlet s:cpo_save
