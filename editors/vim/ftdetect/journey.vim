" .journey files are programs in the journey language.
autocmd BufNewFile,BufRead *.journey setfiletype journey
