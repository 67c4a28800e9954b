package main

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestNeovimDiagnostics runs a real editor: Neovim, headless, configured
// with editors/nvim/plash.lua, opens a Plashfile, and must receive the
// diagnostics of `plash lsp` for it.
func TestNeovimDiagnostics(t *testing.T) {
	nvim, err := exec.LookPath("nvim")
	if err != nil {
		t.Skip("nvim is not installed (apt-get install neovim; CI installs it)")
	}
	editors, err := filepath.Abs("../../editors")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	plashfile := filepath.Join(dir, "Plashfile")
	os.WriteFile(plashfile, []byte("--from alpine\n--apkk git\n--run\necho \"unclosed\n"), 0o644)
	script := filepath.Join(dir, "build-tool")
	os.WriteFile(script, []byte("#!/usr/bin/env plash-exec\n--from alpine\n"), 0o755)
	out := filepath.Join(dir, "out.txt")
	init := filepath.Join(dir, "init.lua")
	os.WriteFile(init, []byte(`
vim.opt.runtimepath:append(`+luaString(filepath.Join(editors, "vim"))+`)
vim.g.plash_cmd = { `+luaString(filepath.Join(binDir, "plash"))+`, "lsp" }
dofile(`+luaString(filepath.Join(editors, "nvim", "plash.lua"))+`)

function PlashReport(out)
  local ok = vim.wait(20000, function() return #vim.diagnostic.get(0) >= 2 end, 20)
  local lines = { "filetype=" .. vim.bo.filetype, "syntax=" .. tostring(vim.b.current_syntax), "waited=" .. tostring(ok) }
  for _, d in ipairs(vim.diagnostic.get(0)) do
    table.insert(lines, string.format("%d:%d:%d:%s", d.lnum, d.col, d.severity, d.message))
  end
  vim.cmd("edit " .. `+luaString(script)+`)
  table.insert(lines, "script filetype=" .. vim.bo.filetype)
  vim.fn.writefile(lines, out)
  vim.cmd("qa!")
end
`), 0o644)
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, nvim, "--headless", "-n", "-i", "NONE", "-u", init, plashfile,
		"-c", "lua PlashReport("+luaString(out)+")")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(),
		"XDG_CONFIG_HOME="+filepath.Join(dir, "config"), "XDG_DATA_HOME="+filepath.Join(dir, "data"),
		"XDG_STATE_HOME="+filepath.Join(dir, "state"), "XDG_CACHE_HOME="+filepath.Join(dir, "cache"),
		"PLASH_DATA="+filepath.Join(dir, "plashdata"))
	msgs, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("nvim: %v\n%s", err, msgs)
	}
	if strings.Contains(string(msgs), "Error") {
		t.Errorf("nvim reported errors:\n%s", msgs)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatalf("nvim wrote no report: %v\n%s", err, msgs)
	}
	got := string(b)
	t.Logf("Neovim report:\n%s", got)
	for _, want := range []string{
		"filetype=plash\n",
		"syntax=plash\n",
		"waited=true\n",
		"1:0:1:macro 'apkk' not found (did you mean 'apk'?)\n",
		"3:5:1:shell syntax error in --run: reached EOF without closing quote `\"`\n",
		"script filetype=plash\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("Neovim report lacks %q:\n%s", want, got)
		}
	}
}

func luaString(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`, "\n", `\n`).Replace(s) + "'"
}

// TestVSCodeExtension checks the VS Code extension's manifest: the plash
// language with its file name, extension and shebang rule, the grammar
// and the client entry point.
func TestVSCodeExtension(t *testing.T) {
	dir := "../../editors/vscode"
	var pkg struct {
		Main        string
		Contributes struct {
			Languages []struct {
				ID        string
				Filenames []string
				FirstLine string
			}
			Grammars []struct{ Language, Path string }
		}
		Dependencies map[string]string
	}
	b, err := os.ReadFile(filepath.Join(dir, "package.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &pkg); err != nil {
		t.Fatalf("package.json: %v", err)
	}
	if len(pkg.Contributes.Languages) != 1 {
		t.Fatalf("languages = %+v", pkg.Contributes.Languages)
	}
	l := pkg.Contributes.Languages[0]
	if l.ID != "plash" || len(l.Filenames) != 1 || l.Filenames[0] != "Plashfile" {
		t.Errorf("language = %+v", l)
	}
	re, err := regexp.Compile(l.FirstLine)
	if err != nil {
		t.Fatalf("firstLine: %v", err)
	}
	if !re.MatchString("#!/usr/bin/env plash-exec") || re.MatchString("#!/bin/sh") {
		t.Errorf("firstLine %q does not tell plash-exec scripts", l.FirstLine)
	}
	if pkg.Dependencies["vscode-languageclient"] == "" {
		t.Error("no vscode-languageclient dependency")
	}
	js, err := os.ReadFile(filepath.Join(dir, pkg.Main))
	if err != nil {
		t.Fatalf("main: %v", err)
	}
	if !strings.Contains(string(js), `args: ["lsp"]`) {
		t.Error("extension.js does not start plash lsp")
	}
	for _, g := range pkg.Contributes.Grammars {
		var v map[string]any
		gb, err := os.ReadFile(filepath.Join(dir, g.Path))
		if err != nil || json.Unmarshal(gb, &v) != nil {
			t.Errorf("grammar %s: unreadable or not JSON (%v)", g.Path, err)
		}
	}
	if node, err := exec.LookPath("node"); err == nil {
		if out, err := exec.Command(node, "--check", filepath.Join(dir, pkg.Main)).CombinedOutput(); err != nil {
			t.Errorf("node --check extension.js: %v\n%s", err, out)
		}
	}
}
