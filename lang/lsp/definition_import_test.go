package lsp

import (
	"path/filepath"
	"testing"
)

// TestDefinitionOfImport: go-to-definition on an --import argument opens
// the pack, both for FILE.star relative to the Plashfile and for NAME
// (FILE without .star).
func TestDefinitionOfImport(t *testing.T) {
	c, dir, uri := evalClient(t, map[string]string{
		"packs/users.star": "def make_user(name):\n    return 'adduser ' + name\n",
	})
	c.open(uri, "--import packs/users.star\n--import packs/users\n--make-user bob\n")
	c.waitDiags(uri, 0)
	want := pathURI(filepath.Join(dir, "packs", "users.star"))
	for _, line := range []int{0, 1} {
		var locs []Location
		if err := c.call("textDocument/definition", TextDocumentPositionParams{TextDocument: TextDocumentIdentifier{uri}, Position: Position{line, 12}}, &locs); err != nil {
			t.Fatal(err)
		}
		if len(locs) != 1 || locs[0].URI != want {
			t.Errorf("definition of the --import argument on line %d = %+v, want %s", line, locs, want)
		}
	}
}
