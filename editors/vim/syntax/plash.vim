" Vim syntax file
" Language: Plashfile (the plash build language)
" The rules follow spec/spec.md: a line is a shebang (first line only), a
" --# comment, a --\ escape, a macro line (starts with -: the macro token,
" then one argument per word) or a whole-line argument.

if exists('b:current_syntax')
  finish
endif

syn match plashShebang   "\%1l^#!/.*$"
syn match plashComment   "^--#.*$" contains=plashDirective,plashTodo
syn match plashDirective "^--#\s*\zscheck:ignore\(-file\)\?\>.*$" contained
syn keyword plashTodo    TODO FIXME XXX contained
syn match plashEscape    "^--\\\( \|$\)" nextgroup=plashEscaped
syn match plashEscaped   ".*$" contained
syn match plashMacroLine "^-[^-#\\ \t][^ \t]*\|^--[^#\\ \t][^ \t]*" contains=plashLayer,plashMacro nextgroup=plashWords
syn match plashMacro     "^--\?[^ \t]\+" contained
syn match plashLayer     "^\(--layer\|-l\)\>" contained
syn match plashWords     ".*$" contained contains=plashWord
syn match plashWord      "[^ \t]\+" contained
syn match plashArg       "^[^-#].*$" contains=plashVar
syn match plashVar       "\$\({[^}]*}\|\w\+\)" contained

hi def link plashShebang   PreProc
hi def link plashComment   Comment
hi def link plashDirective SpecialComment
hi def link plashTodo      Todo
hi def link plashEscape    Special
hi def link plashEscaped   String
hi def link plashMacro     Function
hi def link plashLayer     Keyword
hi def link plashWord      String
hi def link plashArg       String
hi def link plashVar       Identifier

let b:current_syntax = 'plash'
