package cli

import (
	"errors"
	"os"
	"path/filepath"
	"strings"

	"github.com/plash-go/plash/lang"
	"github.com/plash-go/plash/lang/lsp"
	"github.com/plash-go/plash/runtime/store"
)

func init() {
	Register(&Command{
		Name:    "lsp",
		Usage:   "plash lsp [--stdio]",
		Summary: "Run the language server for editors (Language Server Protocol on standard input and output).",
		Help: `Speaks the Language Server Protocol on standard input and output, for an
editor to start: diagnostics as you type (syntax, unknown macros with a
"did you mean" fix, argument counts, broken macro packs, shell syntax in
--run and friends), completion of macros, files, map keys and container
ids, hover with the macro's doc and expansion, go-to-definition, document
symbols, folding by layer, semantic tokens and formatting. --stdio is
accepted for clients that pass it. Set-up for Neovim, Vim and VS Code is in
the editors/ directory of the source tree.`,
		Run: runLSP,
	})
}

func runLSP(args []string) error {
	for _, a := range args {
		if a != "--stdio" {
			return Usagef("plash lsp: unknown argument %q (usage: plash lsp [--stdio])", a)
		}
	}
	host := storeHost{}
	srv := lsp.NewServer(os.Stdin, os.Stdout, lsp.Options{
		Host:      host,
		Semantics: editorSemantics(host),
		Format:    lang.FormatSource,
		Log:       os.Stderr,
		Version:   Version,
	})
	err := srv.Serve()
	if errors.Is(err, lsp.ErrExitWithoutShutdown) {
		return Exit(ExitFailure, nil)
	}
	return err
}

// editorSemantics is the evaluator as the editor and plash check run it.
func editorSemantics(host storeHost) *lsp.EvalSemantics {
	var path []string
	if p := os.Getenv("PLASH_MACRO_PATH"); p != "" {
		path = strings.Split(p, ":")
	}
	return &lsp.EvalSemantics{MacroPath: path, LookupEnv: os.LookupEnv, MapKeys: host.MapKeys}
}

// storeHost gives the language server the map keys and container ids of
// the data directory. It opens the store at each call, so that a store
// made after the server started is seen.
type storeHost struct{}

func (storeHost) ContainerIDs() ([]string, error) {
	s, err := store.Open()
	if err != nil {
		return nil, err
	}
	return s.IDs()
}

func (storeHost) MapKeys() ([]string, error) {
	s, err := store.Open()
	if err != nil {
		return nil, err
	}
	ents, err := os.ReadDir(filepath.Join(s.Dir, "map"))
	if err != nil {
		return nil, err
	}
	var keys []string
	for _, e := range ents {
		if _, ok, err := s.MapGet(e.Name()); err == nil && ok {
			keys = append(keys, e.Name())
		}
	}
	return keys, nil
}
