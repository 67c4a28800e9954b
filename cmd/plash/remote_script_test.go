package main

import (
	"bytes"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/packet"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	ggcrremote "github.com/google/go-containerregistry/pkg/v1/remote"
	gtarball "github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/rogpeppe/go-internal/testscript"

	"github.com/plash-go/plash/runtime/remote"
)

// Script commands for the image sources (remote_*.txtar):
//
//	httpserve DIR      serve $WORK/DIR on loopback as $HTTP (host:port in
//	                   $HTTPHOST); /redirect/P redirects to /P,
//	                   /truncate/P sends P cut in half with the full
//	                   Content-Length, /slow/P sends half of P, creates
//	                   $WORK/slow-started and waits for the client to go
//	httpstop           stop it (a later request then fails)
//	pgpsign FILE...    write FILE.asc, a detached armored signature by the
//	                   script's test key, whose keyring is $WORK/testkey.gpg
//	registry           go-containerregistry's registry on loopback as
//	                   $REGISTRY (host:port)
//	ociput REF ARG...  push an image whose layers are ARGs: tar files, or
//	                   directories (.wh. names are OCI whiteouts)
//	waitfile FILE      wait (up to 10s) until FILE exists
//	realregistry       start Debian's docker-registry on a free loopback
//	                   port as $REALREGISTRY; needs [exec:docker-registry]
var remoteCmds = map[string]func(ts *testscript.TestScript, neg bool, args []string){
	"httpserve":    cmdHTTPServe,
	"httpstop":     cmdHTTPStop,
	"pgpsign":      cmdPGPSign,
	"registry":     cmdRegistry,
	"ociput":       cmdOCIPut,
	"realregistry": cmdRealRegistry,
	"waitfile":     cmdWaitFile,
}

func cmdWaitFile(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 {
		ts.Fatalf("usage: waitfile FILE")
	}
	for i := 0; i < 200; i++ {
		if _, err := os.Stat(ts.MkAbs(args[0])); err == nil {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	ts.Fatalf("%s did not appear", args[0])
}

var (
	scriptMu      sync.Mutex
	scriptServers = map[*testscript.TestScript]*httptest.Server{}
	scriptKeys    = map[*testscript.TestScript]*openpgp.Entity{}
)

func cmdHTTPServe(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 {
		ts.Fatalf("usage: httpserve DIR")
	}
	dir := ts.MkAbs(args[0])
	files := http.FileServer(http.Dir(dir))
	mux := http.NewServeMux()
	mux.Handle("/", files)
	mux.HandleFunc("/redirect/", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, strings.TrimPrefix(r.URL.Path, "/redirect"), http.StatusFound)
	})
	mux.HandleFunc("/slow/", func(w http.ResponseWriter, r *http.Request) {
		b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(strings.TrimPrefix(r.URL.Path, "/slow/"))))
		if err != nil {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Length", strconv.Itoa(len(b)))
		w.Write(b[:len(b)/2])
		w.(http.Flusher).Flush()
		os.WriteFile(ts.MkAbs("slow-started"), nil, 0o644)
		<-r.Context().Done()
	})
	mux.HandleFunc("/truncate/", func(w http.ResponseWriter, r *http.Request) {
		b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(strings.TrimPrefix(r.URL.Path, "/truncate/"))))
		if err != nil {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Length", strconv.Itoa(len(b)))
		w.Write(b[:len(b)/2])
	})
	srv := httptest.NewServer(mux)
	scriptMu.Lock()
	scriptServers[ts] = srv
	scriptMu.Unlock()
	ts.Defer(srv.Close)
	ts.Setenv("HTTP", srv.URL)
	ts.Setenv("HTTPHOST", strings.TrimPrefix(srv.URL, "http://"))
}

func cmdHTTPStop(ts *testscript.TestScript, neg bool, args []string) {
	scriptMu.Lock()
	srv := scriptServers[ts]
	delete(scriptServers, ts)
	scriptMu.Unlock()
	if srv == nil {
		ts.Fatalf("httpstop: no server")
	}
	srv.Close()
}

func cmdPGPSign(ts *testscript.TestScript, neg bool, args []string) {
	scriptMu.Lock()
	e := scriptKeys[ts]
	scriptMu.Unlock()
	if e == nil {
		var err error
		e, err = openpgp.NewEntity("plash script test", "", "test@plash.invalid", &packet.Config{Algorithm: packet.PubKeyAlgoEdDSA})
		ts.Check(err)
		var buf bytes.Buffer
		ts.Check(e.Serialize(&buf))
		ts.Check(os.WriteFile(ts.MkAbs("testkey.gpg"), buf.Bytes(), 0o644))
		scriptMu.Lock()
		scriptKeys[ts] = e
		scriptMu.Unlock()
	}
	for _, f := range args {
		b, err := os.ReadFile(ts.MkAbs(f))
		ts.Check(err)
		var sig bytes.Buffer
		ts.Check(openpgp.ArmoredDetachSign(&sig, e, bytes.NewReader(b), nil))
		ts.Check(os.WriteFile(ts.MkAbs(f)+".asc", sig.Bytes(), 0o644))
	}
}

func cmdRegistry(ts *testscript.TestScript, neg bool, args []string) {
	srv := httptest.NewServer(registry.New(registry.Logger(log.New(io.Discard, "", 0))))
	ts.Defer(srv.Close)
	ts.Setenv("REGISTRY", strings.TrimPrefix(srv.URL, "http://"))
}

func cmdOCIPut(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) < 2 {
		ts.Fatalf("usage: ociput REF LAYER...")
	}
	var layers []v1.Layer
	for _, a := range args[1:] {
		p := ts.MkAbs(a)
		fi, err := os.Stat(p)
		ts.Check(err)
		var l v1.Layer
		if fi.IsDir() {
			var buf bytes.Buffer
			ts.Check(remote.WriteLayerTar(p, &buf))
			b := buf.Bytes()
			l, err = gtarball.LayerFromOpener(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil })
		} else {
			l, err = gtarball.LayerFromFile(p)
		}
		ts.Check(err)
		layers = append(layers, l)
	}
	img, err := mutate.AppendLayers(empty.Image, layers...)
	ts.Check(err)
	ref, err := name.ParseReference(args[0], name.Insecure)
	ts.Check(err)
	ts.Check(ggcrremote.Write(ref, img))
}

func cmdRealRegistry(ts *testscript.TestScript, neg bool, args []string) {
	prog, err := exec.LookPath("docker-registry")
	if err != nil {
		ts.Fatalf("docker-registry not installed (Debian package docker-registry); guard the script with [exec:docker-registry]")
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	ts.Check(err)
	addr := l.Addr().String()
	l.Close()
	conf := fmt.Sprintf("version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: %s\nhttp:\n  addr: %s\n",
		ts.MkAbs("registry-data"), addr)
	ts.Check(os.WriteFile(ts.MkAbs("registry.yml"), []byte(conf), 0o644))
	logf, err := os.Create(ts.MkAbs("registry.log"))
	ts.Check(err)
	cmd := exec.Command(prog, "serve", ts.MkAbs("registry.yml"))
	cmd.Stdout, cmd.Stderr = logf, logf
	ts.Check(cmd.Start())
	ts.Defer(func() { cmd.Process.Kill(); cmd.Wait(); logf.Close() })
	for i := 0; ; i++ {
		resp, err := http.Get("http://" + addr + "/v2/")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		if i == 100 {
			b, _ := os.ReadFile(ts.MkAbs("registry.log"))
			ts.Fatalf("docker-registry did not answer on %s: %v\n%s", addr, err, b)
		}
		time.Sleep(100 * time.Millisecond)
	}
	ts.Setenv("REALREGISTRY", addr)
}
