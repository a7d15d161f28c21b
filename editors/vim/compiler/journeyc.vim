" Vim compiler file for journeyc: `:make` checks the current file and fills the
" quickfix list from its gcc-style diagnostics (file:line:column: error: message).
" g:journeyc_program names the compiler when it is not `journeyc` on the PATH.

if exists('current_compiler')
  finish
endif
let current_compiler = 'journeyc'

if exists(':CompilerSet') != 2
  command -nargs=* CompilerSet setlocal <args>
endif
let s:cpo_save = &cpoptions
set cpoptions&vim

" $* takes :make's arguments (such as -Werror); %:S is the current file, quoted.
execute 'CompilerSet makeprg=' . escape(get(g:, 'journeyc_program', 'journeyc'), ' \|"')
      \ . '\ check\ --color=never\ $*\ %:S'
" Errors, warnings and notes with a location; journeyc's own messages (a file it cannot
" read) as text; the source excerpts and carets under each diagnostic are dropped.
CompilerSet errorformat=%f:%l:%c:\ %trror:\ %m,
      \%f:%l:%c:\ %tarning:\ %m,
      \%f:%l:%c:\ %tote:\ %m,
      \%+Gjourneyc:\ %.%#,
      \%-G%.%#

" Character columns to byte columns (autoload/journey/quickfix.vim).
augroup journeyc_columns
  autocmd!
  autocmd QuickFixCmdPost make call journey#quickfix#after_make(0)
  autocmd QuickFixCmdPost lmake call journey#quickfix#after_make(1)
augroup END

let &cpoptions = s:cpo_save
unlet s:cpo_save
