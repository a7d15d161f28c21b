" journeyc counts columns in characters (a tab is one); Vim's quickfix columns are byte
" indexes. After :make or :lmake with the journeyc compiler, this turns each column into
" the byte index of the same character, so a jump lands on it after non-ASCII text.

function! journey#quickfix#after_make(location_list) abort
  if get(b:, 'current_compiler', get(g:, 'current_compiler', '')) !=# 'journeyc'
    return
  endif
  let items = a:location_list ? getloclist(0) : getqflist()
  for item in items
    if item.valid && item.bufnr > 0 && item.col > 1 && !item.vcol
      let byte = byteidx(s:Line(item.bufnr, item.lnum), item.col - 1)
      if byte >= 0
        let item.col = byte + 1
      endif
    endif
  endfor
  if a:location_list
    call setloclist(0, [], 'r', {'items': items})
  else
    call setqflist([], 'r', {'items': items})
  endif
endfunction

" Line lnum of buffer bufnr, read from its file when the buffer is not loaded.
function! s:Line(bufnr, lnum) abort
  if bufloaded(a:bufnr)
    return get(getbufline(a:bufnr, a:lnum), 0, '')
  endif
  let path = bufname(a:bufnr)
  return filereadable(path) ? get(readfile(path, '', a:lnum), a:lnum - 1, '') : ''
endfunction
