package lsp

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/plash-go/plash/eval"
	"github.com/plash-go/plash/lang"
	"github.com/plash-go/plash/stdlib"
	"go.starlark.net/syntax"
)

// starDef is what the source of a pack tells about one of its macros.
type starDef struct {
	pos    lang.Position
	params []string // Plashfile-style: name, [name], [name...]
}

// starDefs caches the definitions of .star files by path, size and
// modification time (the standard library by name).
var starDefs = struct {
	sync.Mutex
	m map[string]map[string]starDef
}{m: map[string]map[string]starDef{}}

// defsOf returns the macros a .star source defines, by macro name.
func defsOf(key, file string, src []byte) map[string]starDef {
	starDefs.Lock()
	defer starDefs.Unlock()
	if d, ok := starDefs.m[key]; ok {
		return d
	}
	out := map[string]starDef{}
	opts := &syntax.FileOptions{Set: true, While: true, TopLevelControl: true, GlobalReassign: true}
	f, err := opts.Parse(file, src, 0)
	if err == nil {
		lines := strings.Split(string(src), "\n")
		for _, st := range f.Stmts {
			d, ok := st.(*syntax.DefStmt)
			if !ok {
				continue
			}
			p := d.Name.NamePos
			col := int(p.Col)
			if l := int(p.Line) - 1; l >= 0 && l < len(lines) {
				col = byteCol(lines[l], col)
			}
			out[eval.MacroName(d.Name.Name)] = starDef{
				pos:    lang.Position{Filename: file, Line: int(p.Line), Column: col},
				params: renderParams(d.Params),
			}
		}
	}
	if len(starDefs.m) > 256 {
		starDefs.m = map[string]map[string]starDef{}
	}
	starDefs.m[key] = out
	return out
}

// byteCol converts a rune column (from 1) of a line to a byte column.
func byteCol(line string, runeCol int) int {
	off := 0
	for i := 1; i < runeCol && off < len(line); i++ {
		_, size := utf8.DecodeRuneInString(line[off:])
		off += size
	}
	return off + 1
}

func renderParams(params []syntax.Expr) []string {
	var out []string
	for _, p := range params {
		switch p := p.(type) {
		case *syntax.Ident:
			out = append(out, p.Name)
		case *syntax.BinaryExpr:
			if id, ok := p.X.(*syntax.Ident); ok {
				out = append(out, "["+id.Name+"]")
			}
		case *syntax.UnaryExpr:
			if id, ok := p.X.(*syntax.Ident); ok && p.Op == syntax.STAR {
				out = append(out, "["+id.Name+"...]")
			}
		}
	}
	return out
}

// stdlibDir returns a directory holding a copy of the standard library's
// .star files, so that go-to-definition can open them; "" when it cannot
// be written.
var stdlibDir = sync.OnceValue(func() string {
	base, err := os.UserCacheDir()
	if err != nil {
		base = os.TempDir()
	}
	ents, err := fs.ReadDir(stdlib.FS, ".")
	if err != nil {
		return ""
	}
	// The directory is named by the content, so that versions of plash
	// never share one.
	var sum uint32 = 2166136261
	var files = map[string][]byte{}
	for _, e := range ents {
		b, err := fs.ReadFile(stdlib.FS, e.Name())
		if err != nil {
			return ""
		}
		files[e.Name()] = b
		for _, c := range append([]byte(e.Name()), b...) {
			sum = (sum ^ uint32(c)) * 16777619
		}
	}
	dir := filepath.Join(base, "plash", fmt.Sprintf("stdlib-%08x", sum))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return ""
	}
	for name, b := range files {
		p := filepath.Join(dir, name)
		if old, err := os.ReadFile(p); err == nil && string(old) == string(b) {
			continue
		}
		tmp := p + ".tmp"
		if os.WriteFile(tmp, b, 0o444) != nil || os.Rename(tmp, p) != nil {
			os.Remove(tmp)
			return ""
		}
	}
	return dir
})

// describe turns an evaluator macro into the server's: signature and
// definition from the pack's source. file is the pack file a user pack
// was found in ("" for the standard library).
func describe(m *eval.Macro, file string) *Macro {
	out := &Macro{Name: m.Name, Pack: m.Pack, Doc: m.Doc}
	var defs map[string]starDef
	switch {
	case m.Pack == "builtin" || m.Pack == "defpm":
	case file != "":
		if fi, err := os.Stat(file); err == nil {
			if src, err := os.ReadFile(file); err == nil {
				defs = defsOf(fmt.Sprintf("%s:%d:%d", file, fi.Size(), fi.ModTime().UnixNano()), file, src)
			}
		}
	default:
		name := m.Pack + ".star"
		if src, err := fs.ReadFile(stdlib.FS, name); err == nil {
			file := "stdlib/" + name
			if dir := stdlibDir(); dir != "" {
				file = filepath.Join(dir, name)
			}
			defs = defsOf("std:"+name, file, src)
		}
	}
	var params []string
	if d, ok := defs[m.Name]; ok {
		out.Def = d.pos
		if d.pos.Filename == "stdlib/"+m.Pack+".star" {
			out.Def = lang.Position{}
		}
		params = d.params
	} else {
		for i := 0; i < m.MinArgs; i++ {
			params = append(params, "arg")
		}
		switch {
		case m.MaxArgs < 0:
			params = append(params, "[arg...]")
		default:
			for i := m.MinArgs; i < m.MaxArgs; i++ {
				params = append(params, "[arg]")
			}
		}
	}
	label := "--" + m.Name
	if len(m.Name) == 1 {
		label = "-" + m.Name
	}
	out.Signature = strings.TrimSpace(label + " " + strings.Join(params, " "))
	return out
}
