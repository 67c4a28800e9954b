package eval

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/plash-go/plash/lang"
)

// Kind is the type of a primitive operation. The set is closed: the
// runtime knows how to execute exactly these.
type Kind int

const (
	Image Kind = iota // the container to start from (Value is its id)
	Layer             // a cache boundary: what follows is built as a new layer
	Run               // shell text run in the container (Text)
	Env               // a shell variable set for the rest of the layer (Name, Value)
	Hint              // metadata for the runtime, such as exec or use-env (Name, Value)
)

var kindNames = [...]string{"image", "layer", "run", "env", "hint"}

func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// Op is one primitive operation with the place it came from.
type Op struct {
	Kind     Kind
	Text     string // Run: the shell text, possibly several lines
	Name     string // Env: the variable; Hint: the hint name
	Value    string // Image: the id; Env: the value; Hint: the value
	HasValue bool   // Hint: whether a value was given (NAME=VALUE or just NAME)
	Origin   Origin
}

// Origin says which call produced an op: the position of the call in the
// Plashfile the user wrote and the stack of macro calls, outermost first,
// that expanded to it. A frame's position is in the Plashfile for calls
// written there (or in a file read by eval-file), and in the .star file for
// calls a macro made with macro().
type Origin struct {
	Pos   lang.Position
	Stack []Frame
}

// Frame is one macro call on the expansion stack.
type Frame struct {
	Macro string
	Pos   lang.Position
}

// HintPrefix starts every hint line of the shell-script form; the runtime
// and other consumers read hints with this exact pattern.
const HintPrefix = "### plash hint: "

// Chunk returns the op as the shell-script form writes it: without a
// trailing newline, and possibly several lines for a Run op.
func (op *Op) Chunk() string {
	if op.Kind == Run {
		return op.Text
	}
	var b strings.Builder
	op.writeChunk(&b)
	return b.String()
}

func (op *Op) writeChunk(b *strings.Builder) {
	switch op.Kind {
	case Image:
		b.WriteString(HintPrefix + "image=")
		b.WriteString(op.Value)
	case Layer:
		b.WriteString(HintPrefix + "layer")
	case Run:
		b.WriteString(op.Text)
	case Env:
		b.WriteString(op.Name)
		b.WriteByte('=')
		b.WriteString(Quote(op.Value))
	case Hint:
		b.WriteString(HintPrefix)
		b.WriteString(op.Name)
		if op.HasValue {
			b.WriteByte('=')
			b.WriteString(op.Value)
		}
	}
}

// Script renders ops as the shell script the original printed: the ops'
// chunks joined with newlines, with a final newline added unless the script
// is empty or ends with one already.
func Script(ops []Op) string {
	n := 0
	for i := range ops {
		n += len(ops[i].Text) + len(ops[i].Name) + len(ops[i].Value) + len(HintPrefix) + 8
	}
	var b strings.Builder
	b.Grow(n)
	for i := range ops {
		if i > 0 {
			b.WriteByte('\n')
		}
		ops[i].writeChunk(&b)
	}
	s := b.String()
	if s != "" && !strings.HasSuffix(s, "\n") {
		// Within the capacity grown above: no copy of the script.
		b.WriteByte('\n')
		s = b.String()
	}
	return s
}

// jsonOp is the JSON form of an Op.
type jsonOp struct {
	Op     string      `json:"op"`
	Text   *string     `json:"text,omitempty"`
	Name   string      `json:"name,omitempty"`
	Value  *string     `json:"value,omitempty"`
	Origin *jsonOrigin `json:"origin,omitempty"`
}

type jsonOrigin struct {
	Pos   string      `json:"pos"`
	Stack []jsonFrame `json:"stack"`
}

type jsonFrame struct {
	Macro string `json:"macro"`
	Pos   string `json:"pos"`
}

// FormatPos writes a position as FILE:LINE:COL.
func FormatPos(p lang.Position) string {
	if p.Line == 0 {
		return p.Filename
	}
	return fmt.Sprintf("%s:%d:%d", p.Filename, p.Line, p.Column)
}

func (op *Op) toJSON() jsonOp {
	j := jsonOp{Op: op.Kind.String()}
	switch op.Kind {
	case Image:
		j.Value = &op.Value
	case Run:
		j.Text = &op.Text
	case Env:
		j.Name, j.Value = op.Name, &op.Value
	case Hint:
		j.Name = op.Name
		if op.HasValue {
			j.Value = &op.Value
		}
	}
	if len(op.Origin.Stack) > 0 || op.Origin.Pos.Line > 0 {
		o := &jsonOrigin{Pos: FormatPos(op.Origin.Pos), Stack: []jsonFrame{}}
		for _, f := range op.Origin.Stack {
			o.Stack = append(o.Stack, jsonFrame{Macro: f.Macro, Pos: FormatPos(f.Pos)})
		}
		j.Origin = o
	}
	return j
}

// MarshalJSON encodes the op as an object: {"op": KIND, "text"|"name"|"value":
// ..., "origin": {"pos": "FILE:LINE:COL", "stack": [{"macro", "pos"}...]}}.
func (op Op) MarshalJSON() ([]byte, error) {
	return json.Marshal(op.toJSON())
}

// MarshalOps encodes ops as a JSON array with one op per line, which is
// valid JSON for tools and reads well in a diff.
func MarshalOps(ops []Op) ([]byte, error) {
	var b bytes.Buffer
	b.WriteString("[")
	for i := range ops {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString("\n")
		line, err := marshalNoEscape(ops[i].toJSON())
		if err != nil {
			return nil, err
		}
		b.Write(line)
	}
	if len(ops) > 0 {
		b.WriteByte('\n')
	}
	b.WriteString("]\n")
	return b.Bytes(), nil
}

// marshalNoEscape is json.Marshal without HTML escaping (shell text is
// full of < > &).
func marshalNoEscape(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}
