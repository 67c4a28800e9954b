package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/plash-go/plash/lang"
	"github.com/plash-go/plash/lang/lsp"
)

func init() {
	Register(&Command{
		Name:    "check",
		Usage:   "plash check [--format=text|json] [--rules] FILE...",
		Summary: "Check Plashfiles without building: the editor's diagnostics on the command line.",
		Help: `Reports, for each FILE ("-" is standard input), what the language server
shows in an editor: syntax errors, unknown macros, wrong argument counts,
broken macro packs, macros that fail, shell syntax errors in --run and
similar macros, missing --eval-file and --import files. Each finding is a
line "FILE:LINE:COL: MESSAGE [RULE]"; with --format=json, a JSON array of
findings with their ranges, rules and fixes. Exits 1 when any error was
found (warnings do not count).

A finding is silenced by a comment line naming its rule:

  --# check:ignore shell,arity   silences these rules in the next call
  --# check:ignore-file shell    silences them in the whole file

--rules lists the rules. See spec/check.md.`,
		Run: runCheck,
	})
}

func runCheck(args []string) error {
	format := "text"
	var files []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--rules":
			for _, r := range lsp.Rules {
				fmt.Printf("%-14s %s\n", r.ID, r.Doc)
			}
			return nil
		case strings.HasPrefix(a, "--format="):
			format = strings.TrimPrefix(a, "--format=")
		case a == "--format" && i+1 < len(args):
			i++
			format = args[i]
		case a == "--":
			files = append(files, args[i+1:]...)
			i = len(args)
		case strings.HasPrefix(a, "-") && a != "-":
			return Usagef("plash check: unknown option %s (usage: plash check [--format=text|json] [--rules] FILE...)", a)
		default:
			files = append(files, a)
		}
	}
	if format != "text" && format != "json" {
		return Usagef("plash check: unknown format %q (text or json)", format)
	}
	if len(files) == 0 {
		return Usagef("plash check: no FILE given (usage: plash check [--format=text|json] FILE...)")
	}
	checker := lsp.Checker{Semantics: editorSemantics(storeHost{})}
	var all []*lsp.Finding
	failed := false
	for _, name := range files {
		var src []byte
		var err error
		if name == "-" {
			name = lang.StdinName
			src, err = io.ReadAll(os.Stdin)
		} else {
			src, err = os.ReadFile(name)
		}
		if err != nil {
			PrintError(fmt.Errorf("checking %s: %w", name, err))
			failed = true
			continue
		}
		res := checker.Check(name, src)
		all = append(all, res.Findings...)
	}
	if format == "json" {
		b, err := json.MarshalIndent(jsonFindings(all), "", "  ")
		if err != nil {
			return err
		}
		os.Stdout.Write(append(b, '\n'))
	} else {
		for _, f := range all {
			fmt.Println(f.String())
		}
	}
	if failed || lsp.Errors(all) {
		return Exit(ExitFailure, nil)
	}
	return nil
}

// jsonPos is a position in JSON output: line and column from 1 (the
// column in bytes), and the byte offset from 0.
type jsonPos struct {
	Line   int `json:"line"`
	Column int `json:"column"`
	Offset int `json:"offset"`
}

type jsonEdit struct {
	Start   jsonPos `json:"start"`
	End     jsonPos `json:"end"`
	NewText string  `json:"newText"`
}

type jsonFix struct {
	Title string     `json:"title"`
	Edits []jsonEdit `json:"edits"`
}

type jsonFinding struct {
	File     string    `json:"file"`
	Start    jsonPos   `json:"start"`
	End      jsonPos   `json:"end"`
	Severity string    `json:"severity"`
	Rule     string    `json:"rule"`
	Message  string    `json:"message"`
	Fixes    []jsonFix `json:"fixes,omitempty"`
}

func toJSONPos(p lang.Position) jsonPos {
	return jsonPos{Line: p.Line, Column: p.Column, Offset: p.Offset}
}

func jsonFindings(fs []*lsp.Finding) []jsonFinding {
	out := make([]jsonFinding, 0, len(fs))
	for _, f := range fs {
		j := jsonFinding{File: f.Start.Filename, Start: toJSONPos(f.Start), End: toJSONPos(f.End),
			Severity: f.Severity.String(), Rule: f.Rule, Message: f.Msg}
		for _, fx := range f.Fixes {
			jf := jsonFix{Title: fx.Title}
			for _, e := range fx.Edits {
				jf.Edits = append(jf.Edits, jsonEdit{Start: toJSONPos(e.Start), End: toJSONPos(e.End), NewText: e.New})
			}
			j.Fixes = append(j.Fixes, jf)
		}
		out = append(out, j)
	}
	return out
}
