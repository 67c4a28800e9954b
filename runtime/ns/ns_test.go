package ns

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

func TestReadMapping(t *testing.T) {
	dir := t.TempDir()
	sub := filepath.Join(dir, "subuid")
	os.WriteFile(sub, []byte("other:1000:5\nme:100000:65536\n# junk\n4242:300000:10\nme:bad:1\n"), 0o644)
	got := subRanges(sub, "me", 4242)
	want := []IDRange{{100000, 65536}, {300000, 10}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("subRanges = %v, want %v", got, want)
	}
	if r := subRanges(sub, "nobody", 1); r != nil {
		t.Fatalf("subRanges for a user without ranges = %v", r)
	}
	if r := subRanges(filepath.Join(dir, "missing"), "me", 1); r != nil {
		t.Fatalf("subRanges of a missing file = %v", r)
	}
}

func TestMapArgsAndHostID(t *testing.T) {
	ranges := []IDRange{{100000, 10}, {300000, 5}}
	got := mapArgs(77, 1001, ranges)
	want := []string{"77", "0", "1001", "1", "1", "100000", "10", "11", "300000", "5"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("mapArgs = %v, want %v", got, want)
	}
	m := &Mapping{UID: 1001, SubUID: ranges}
	for in, out := range map[int]int{0: 1001, 1: 100000, 10: 100009, 11: 300000, 15: 300004, 16: -1} {
		if h := m.HostUID(in); h != out {
			t.Errorf("HostUID(%d) = %d, want %d", in, h, out)
		}
	}
}

func TestReadMappingReason(t *testing.T) {
	dir := t.TempDir()
	m := readMapping(filepath.Join(dir, "none"), filepath.Join(dir, "none"))
	if m.Full() || m.Reason == "" {
		t.Fatalf("mapping without ranges is Full (reason %q)", m.Reason)
	}
}
