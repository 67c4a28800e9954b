package build

import (
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"sort"
	"strings"

	"github.com/plash-go/plash/eval"
)

// LayerMarker separates the layers of a build script, as the original
// split it: the layer hint line with its newline.
const LayerMarker = eval.HintPrefix + "layer\n"

// ErrNoImage is a program without an image hint.
var ErrNoImage = errors.New("no image specified")

// Plan is a program ready to build. It is JSON so that a build can be
// handed to the re-executed plash inside a user namespace without
// evaluating the program a second time.
type Plan struct {
	Image   string   `json:"image"`
	Layers  []Layer  `json:"layers"`
	Hints   []Hint   `json:"hints,omitempty"`
	Sources []Source `json:"sources,omitempty"`
	// ID is the built container, once known.
	ID string `json:"id,omitempty"`

	// Until Resolve, Layer.Lines hold op indexes: the calls are only
	// described when a build needs to say where it is.
	unresolved bool
	ops        []eval.Op
	describe   func(eval.Origin) Source
}

// Layer is the text of one layer, as run and as hashed.
type Layer struct {
	Text string `json:"text"`
	// Lines holds, for each line of Text, the index in Plan.Sources of the
	// call that produced it (-1 when unknown).
	Lines []int `json:"lines"`
}

// Hint is a hint other than image and layer, in program order.
type Hint struct {
	Name     string `json:"name"`
	Value    string `json:"value,omitempty"`
	HasValue bool   `json:"has_value,omitempty"`
}

// Source is a call of the program as the user wrote it.
type Source struct {
	Pos  string `json:"pos"`  // FILE:LINE:COL
	Call string `json:"call"` // e.g. "--apt cowsay"
}

// HintValue returns the value of the last hint named name.
func (p *Plan) HintValue(name string) (string, bool) {
	for i := len(p.Hints) - 1; i >= 0; i-- {
		if p.Hints[i].Name == name {
			return p.Hints[i].Value, true
		}
	}
	return "", false
}

// HintValues returns the values of every hint named name, in order.
func (p *Plan) HintValues(name string) []string {
	var out []string
	for _, h := range p.Hints {
		if h.Name == name {
			out = append(out, h.Value)
		}
	}
	return out
}

// Key is the cache key of a layer built on parent: the sha1 hex of
// "<parent>:<text>", the original's recipe and map entry name.
func Key(parent, text string) string {
	h := sha1.New()
	h.Write([]byte(parent))
	h.Write([]byte{':'})
	h.Write([]byte(text))
	return hex.EncodeToString(h.Sum(nil))
}

// NewPlan makes the plan of a program's ops. describe gives the call an
// op's origin names, as the user wrote it (nil: the position of the
// outermost call and "--MACRO"). It fails with ErrNoImage when no op chose
// an image.
func NewPlan(ops []eval.Op, describe func(eval.Origin) Source) (*Plan, error) {
	p := &Plan{}
	hasImage := false
	for i := range ops {
		switch ops[i].Kind {
		case eval.Image:
			p.Image, hasImage = ops[i].Value, true
		case eval.Hint:
			if ops[i].Name != "layer" {
				p.Hints = append(p.Hints, Hint{Name: ops[i].Name, Value: ops[i].Value, HasValue: ops[i].HasValue})
			}
		}
	}
	if !hasImage || p.Image == "" {
		return nil, ErrNoImage
	}

	// The script exactly as eval.Script writes it, remembering where each
	// op starts.
	script := eval.Script(ops)
	starts := make([]int, len(ops))
	off := 0
	for i := range ops {
		starts[i] = off
		off += len(ops[i].Chunk()) + 1
	}
	opOf := func(at int) int {
		return sort.Search(len(starts), func(i int) bool { return starts[i] > at }) - 1
	}
	p.ops, p.describe = ops, describe

	segStart := 0
	for _, seg := range strings.Split(script, LayerMarker) {
		var text strings.Builder
		var lines []int
		for ls := 0; ls < len(seg); {
			le := strings.IndexByte(seg[ls:], '\n')
			if le < 0 {
				le = len(seg)
			} else {
				le += ls + 1
			}
			line := seg[ls:le]
			if !strings.HasPrefix(line, eval.HintPrefix) {
				text.WriteString(line)
				lines = append(lines, opOf(segStart+ls))
			}
			ls = le
		}
		segStart += len(seg) + len(LayerMarker)
		if text.Len() == 0 {
			continue
		}
		p.Layers = append(p.Layers, Layer{Text: text.String(), Lines: lines})
		p.unresolved = true
	}
	return p, nil
}

// Resolve turns the op indexes of the layers' lines into Sources, asking
// describe (given to NewPlan) once per op. Build and a hand-over call it.
func (p *Plan) Resolve() {
	if !p.unresolved {
		return
	}
	p.unresolved = false
	srcIndex := map[string]int{}
	opSource := map[int]int{}
	for li := range p.Layers {
		for i, op := range p.Layers[li].Lines {
			if op < 0 {
				continue
			}
			n, ok := opSource[op]
			if !ok {
				n = p.source(p.ops[op].Origin, p.describe, srcIndex)
				opSource[op] = n
			}
			p.Layers[li].Lines[i] = n
		}
	}
	p.ops, p.describe = nil, nil
}

// source returns the index in p.Sources of the call origin names, adding
// it when new; -1 when origin names none.
func (p *Plan) source(o eval.Origin, describe func(eval.Origin) Source, srcIndex map[string]int) int {
	src := Source{Pos: eval.FormatPos(o.Pos)}
	if len(o.Stack) > 0 {
		src.Call = "--" + o.Stack[0].Macro
	}
	if describe != nil {
		src = describe(o)
	}
	if src.Pos == "" && src.Call == "" {
		return -1
	}
	key := src.Pos + "\x00" + src.Call
	if n, ok := srcIndex[key]; ok {
		return n
	}
	p.Sources = append(p.Sources, src)
	srcIndex[key] = len(p.Sources) - 1
	return len(p.Sources) - 1
}
