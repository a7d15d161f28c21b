" Vim filetype plugin for the journey language: comments, the recommended style, and
" :make running `journeyc check` on the current file (compiler/journeyc.vim).

if exists('b:did_ftplugin')
  finish
endif
let b:did_ftplugin = 1
let s:cpo_save = &cpoptions
set cpoptions&vim

setlocal commentstring=//\ %s
setlocal comments=s1:/*,mb:*,ex:*/,://
setlocal formatoptions-=t formatoptions+=croql
setlocal iskeyword=a-z,A-Z,48-57,_
setlocal suffixesadd=.journey
let b:undo_ftplugin = 'setlocal commentstring< comments< formatoptions< iskeyword< suffixesadd<'

" The style of the examples and of `journeyc fmt`: four spaces, no tabs.
" let g:journey_recommended_style = 0 in your vimrc keeps your own settings.
if get(g:, 'journey_recommended_style', 1)
  setlocal expandtab shiftwidth=4 softtabstop=4
  let b:undo_ftplugin .= ' expandtab< shiftwidth< softtabstop<'
endif

if !exists('b:current_compiler')
  compiler journeyc
  let b:undo_ftplugin .= ' makeprg< errorformat< | unlet! b:current_compiler'
endif

let &cpoptions = s:cpo_save
unlet s:cpo_save
