package cli

import (
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/term"

	"github.com/plash-go/plash/eval"
	"github.com/plash-go/plash/lang"
	"github.com/plash-go/plash/runtime/build"
	"github.com/plash-go/plash/runtime/ns"
	"github.com/plash-go/plash/runtime/store"
)

// How a build reaches the user namespace. A normal user's build evaluates
// the program and looks the layers up outside any namespace: a fully
// cached build ends there. When a layer is missing, or when the command
// goes on to run the container, the plan (with the id when it is built)
// is written to a temporary file in the store and its path passed in
// envPlan to the same command line re-executed by ns.Enter; there the
// build takes the plan instead of evaluating the program again, so that
// an invalidate-layer or standard input is evaluated exactly once.
const envPlan = "_PLASH_BUILD_PLAN"

func init() {
	buildContainer = func(macros []string) (string, error) {
		p, err := buildArgs(macros, false)
		if err != nil {
			return "", err
		}
		return p.ID, nil
	}
}

// buildArgs builds the program given as command-line words.
// nested is true for a build made while another program is evaluated
// (--from-github), which can not hand its plan over.
func buildArgs(words []string, nested bool) (*build.Plan, error) {
	return buildWith(nested, func() (*build.Plan, error) {
		f, err := lang.ParseArgs(words)
		if err != nil {
			return nil, err
		}
		return planFile(f, "")
	})
}

// buildSource builds a program in the file form; dir is where its
// --import FILE is found.
func buildSource(name string, src []byte, dir string, nested bool) (*build.Plan, error) {
	return buildWith(nested, func() (*build.Plan, error) {
		f, err := lang.Parse(name, src)
		if err != nil {
			return nil, err
		}
		return planFile(f, dir)
	})
}

// planFile evaluates a parsed program into a build plan.
func planFile(f *lang.File, dir string) (*build.Plan, error) {
	cfg := evalConfig(dir)
	if os.Geteuid() != 0 {
		cfg.Images = outsideImages{}
	}
	ops, err := eval.Eval(f, cfg)
	if err != nil {
		// --from-id 99: a missing container exits 3 here too.
		return nil, storeErr(err)
	}
	p, err := build.NewPlan(ops, describer(f))
	if errors.Is(err, build.ErrNoImage) {
		return nil, Exit(ExitUsage, err)
	}
	return p, err
}

// buildWith builds the plan that plan makes (or the one handed over by
// the parent plash) and returns it with its ID set.
func buildWith(nested bool, plan func() (*build.Plan, error)) (*build.Plan, error) {
	if !nested {
		p, err := takePlan()
		if err != nil {
			return nil, err
		}
		if p != nil {
			return p, buildPlan(p)
		}
	}
	p, err := plan()
	if err != nil {
		return nil, err
	}
	s, err := openStore()
	if err != nil {
		return nil, err
	}
	id, ok, err := build.Cached(s, p)
	if err != nil {
		return nil, storeErr(err)
	}
	if ok {
		p.ID = id
		return p, nil
	}
	if os.Geteuid() != 0 {
		if !nested {
			if err := handOver(s, p); err != nil {
				return nil, err
			}
		}
		if err := ns.Enter(); err != nil {
			return nil, err
		}
	}
	return p, buildPlan(p)
}

// buildPlan builds p's missing layers (p.ID set means it is built).
func buildPlan(p *build.Plan) error {
	if p.ID != "" {
		return nil
	}
	s, err := openStore()
	if err != nil {
		return err
	}
	color := false
	if f, ok := Stderr.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		color = true
	}
	_, err = build.Build(s, p, build.Options{Stderr: Stderr, Color: color})
	return storeErr(err)
}

// handOver makes p reach the command line re-executed by ns.Enter (see
// envPlan): a built plan (ID set) travels in the variable itself, without
// its layers; one to build is written to a temporary file in the store.
// The value starts with a hash of the command line, so that no other
// command takes it. Call ns.Enter next.
func handOver(s *store.Store, p *build.Plan) error {
	if p.ID != "" {
		b, err := json.Marshal(&build.Plan{Image: p.Image, ID: p.ID, Hints: p.Hints})
		if err != nil {
			return err
		}
		return os.Setenv(envPlan, argsHash()+":"+string(b))
	}
	dir, err := s.TempDir("plan")
	if err != nil {
		return err
	}
	p.Resolve()
	b, err := json.Marshal(p)
	if err != nil {
		return err
	}
	path := filepath.Join(dir, "plan.json")
	if err := os.WriteFile(path, b, 0o600); err != nil {
		return fmt.Errorf("handing the build over: %w", err)
	}
	return os.Setenv(envPlan, argsHash()+":"+path)
}

// argsHash identifies this process's command line.
func argsHash() string {
	h := sha1.New()
	for _, a := range os.Args {
		h.Write([]byte(a))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
}

// takePlan returns the plan the parent plash handed over, or nil, and
// removes it.
func takePlan() (*build.Plan, error) {
	v, ok := os.LookupEnv(envPlan)
	if !ok {
		return nil, nil
	}
	os.Unsetenv(envPlan)
	hash, v, _ := strings.Cut(v, ":")
	var b []byte
	if strings.HasPrefix(v, "{") {
		b = []byte(v)
	} else {
		dir := filepath.Dir(v)
		if filepath.Base(v) != "plan.json" || !strings.HasPrefix(filepath.Base(dir), "plashtmp_") {
			return nil, fmt.Errorf("%s: not a build plan", v)
		}
		var err error
		b, err = os.ReadFile(v)
		store.RemoveTree(dir)
		if err != nil {
			return nil, fmt.Errorf("reading the build plan: %w", err)
		}
	}
	if hash != argsHash() {
		return nil, nil // meant for another command line
	}
	p := &build.Plan{}
	if err := json.Unmarshal(b, p); err != nil {
		return nil, fmt.Errorf("reading the build plan: %w", err)
	}
	return p, nil
}

// describer returns what build.NewPlan wants to know of an op's origin:
// the innermost call written in a Plashfile (not in a macro pack), with
// its text as written there, "--apt cowsay". Calls of files that
// eval-file read are found by parsing those files again, only when a
// build needs to say where it is.
func describer(f *lang.File) func(eval.Origin) build.Source {
	files := map[string]map[string]string{}
	callsOf := func(name string) map[string]string {
		if m, ok := files[name]; ok {
			return m
		}
		var g *lang.File
		switch {
		case name == f.Name:
			g = f
		case name != lang.StdinName && name != lang.ArgsName:
			if src, err := os.ReadFile(name); err == nil {
				g, _ = lang.Parse(name, src)
			}
		}
		m := map[string]string{}
		files[name] = m
		if g == nil {
			return m
		}
		calls, _ := g.Calls()
		for _, c := range calls {
			var b strings.Builder
			if strings.HasPrefix(c.Stanza.Head.Value, "--") {
				b.WriteString("--")
			} else {
				b.WriteString("-")
			}
			b.WriteString(c.Name)
			for _, a := range c.Args {
				b.WriteString(" " + eval.Quote(a.Value))
			}
			m[eval.FormatPos(c.Pos)] = b.String()
			m[eval.FormatPos(c.NamePos)] = b.String()
		}
		return m
	}
	return func(o eval.Origin) build.Source {
		fr := eval.Frame{Pos: o.Pos}
		for _, sf := range o.Stack {
			if sf.Pos.Filename != "" && !strings.HasSuffix(sf.Pos.Filename, ".star") {
				fr = sf
			}
		}
		pos := eval.FormatPos(fr.Pos)
		call := callsOf(fr.Pos.Filename)[pos]
		if call == "" && fr.Macro != "" {
			call = "--" + fr.Macro
		}
		return build.Source{Pos: pos, Call: call}
	}
}

// outsideImages resolves images for a normal user's evaluation outside
// the user namespace: ids and map keys as usual, and the remote sources
// when the map remembers their import. An import to make needs the
// namespace (files of other owners): the command line is then re-executed
// there, which evaluates the program again as root.
type outsideImages struct{ storeImages }

func (outsideImages) remote(key string, get func() (string, error)) (string, error) {
	if s, err := store.Open(); err == nil {
		if id, ok, err := s.MapGet(key); err == nil && ok {
			return id, nil
		}
	}
	if err := ns.Enter(); err != nil {
		return "", err
	}
	return get()
}

func (i outsideImages) FromLXC(name string) (string, error) {
	return i.remote(store.MapKey("lxc", name), func() (string, error) { return i.storeImages.FromLXC(name) })
}

func (i outsideImages) FromURL(url string) (string, error) {
	return i.remote(store.MapKey("url", url), func() (string, error) { return i.storeImages.FromURL(url) })
}

func (i outsideImages) FromDocker(image string) (string, error) {
	return i.remote(store.MapKey("docker", image), func() (string, error) { return i.storeImages.FromDocker(image) })
}

func (i outsideImages) FromGitHub(repo, file string) (string, error) {
	args := []string{repo}
	if file != "" && file != "plashfile" {
		args = append(args, file)
	}
	return i.remote(store.MapKey("github", args...), func() (string, error) { return i.storeImages.FromGitHub(repo, file) })
}
