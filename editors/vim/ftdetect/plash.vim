" Filetype detection for Plashfiles: files named Plashfile (or *.plash) and
" executable Plashfiles, whose shebang names plash-exec.
augroup plash_ftdetect
  autocmd!
  autocmd BufRead,BufNewFile Plashfile,*.Plashfile,*.plash setfiletype plash
  autocmd BufRead,BufNewFile * if getline(1) =~# '^#!.*\<plash-exec\>' | setfiletype plash | endif
augroup END
