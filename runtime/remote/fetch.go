package remote

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"
)

// Fetcher gets files from http, https and file URLs.
type Fetcher struct {
	// Client makes the HTTP requests (http.DefaultClient when nil). It
	// follows redirects.
	Client *http.Client
	// Progress receives a progress bar for downloads (size, rate, time
	// left); nil keeps downloads quiet. Set it only for a terminal.
	Progress io.Writer
}

// HTTPError is an HTTP response that was not a success.
// Callers wrap it with the URL they asked for; the message names the URL
// that failed only when a redirect led elsewhere.
type HTTPError struct {
	Requested string // the URL asked for
	URL       string // the URL that answered, after redirects
	Status    string // e.g. "404 Not Found"
	Code      int
}

func (e *HTTPError) Error() string {
	if e.URL != e.Requested {
		return fmt.Sprintf("HTTP %s (redirected to %s)", e.Status, e.URL)
	}
	return "HTTP " + e.Status
}

// IsNotFound reports whether err is a 404 or a missing file: URL.
func IsNotFound(err error) bool {
	var he *HTTPError
	if errors.As(err, &he) {
		return he.Code == http.StatusNotFound || he.Code == http.StatusGone
	}
	return errors.Is(err, os.ErrNotExist)
}

func (f *Fetcher) client() *http.Client {
	if f != nil && f.Client != nil {
		return f.Client
	}
	return http.DefaultClient
}

// open returns the body of rawURL and its size (-1 when unknown).
func (f *Fetcher) open(ctx context.Context, rawURL string) (io.ReadCloser, int64, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, 0, fmt.Errorf("bad URL %q: %v", rawURL, err)
	}
	switch u.Scheme {
	case "file":
		if u.Host != "" && u.Host != "localhost" {
			return nil, 0, fmt.Errorf("bad URL %q: file URLs name a local path (file:///PATH)", rawURL)
		}
		fh, err := os.Open(u.Path)
		if err != nil {
			return nil, 0, err
		}
		st, err := fh.Stat()
		if err != nil {
			fh.Close()
			return nil, 0, err
		}
		if st.IsDir() {
			fh.Close()
			return nil, 0, &os.PathError{Op: "open", Path: u.Path, Err: errors.New("is a directory")}
		}
		return fh, st.Size(), nil
	case "http", "https":
	case "":
		return nil, 0, fmt.Errorf("bad URL %q: no scheme (use http://, https:// or file://)", rawURL)
	default:
		return nil, 0, fmt.Errorf("bad URL %q: unsupported scheme %q (use http, https or file)", rawURL, u.Scheme)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return nil, 0, err
	}
	req.Header.Set("User-Agent", "plash")
	resp, err := f.client().Do(req)
	if err != nil {
		return nil, 0, cleanNetErr(ctx, err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		resp.Body.Close()
		// The final URL after redirects is the one that failed.
		return nil, 0, &HTTPError{Requested: rawURL, URL: resp.Request.URL.String(), Status: resp.Status, Code: resp.StatusCode}
	}
	return resp.Body, resp.ContentLength, nil
}

// cleanNetErr makes the errors of net/http one line without repeating the
// URL, and reports cancellation as an interrupt.
func cleanNetErr(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return ErrInterrupted
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// ErrInterrupted is returned when a download is cancelled by a signal.
var ErrInterrupted = errors.New("interrupted")

// Get returns the whole content of rawURL, at most max bytes. Like
// Download, its errors do not repeat the URL: callers say what they fetched.
func (f *Fetcher) Get(ctx context.Context, rawURL string, max int64) ([]byte, error) {
	body, _, err := f.open(ctx, rawURL)
	if err != nil {
		return nil, err
	}
	defer body.Close()
	b, err := io.ReadAll(io.LimitReader(body, max+1))
	if err != nil {
		return nil, cleanNetErr(ctx, err)
	}
	if int64(len(b)) > max {
		return nil, fmt.Errorf("larger than %d bytes", max)
	}
	return b, nil
}

// Download copies the content of rawURL into w, showing a progress bar when
// f.Progress is set. A body shorter than the announced size is an error.
func (f *Fetcher) Download(ctx context.Context, rawURL string, w io.Writer) (int64, error) {
	body, size, err := f.open(ctx, rawURL)
	if err != nil {
		return 0, err
	}
	defer body.Close()
	var dst io.Writer = w
	var bar *progressbar.ProgressBar
	if f != nil && f.Progress != nil {
		bar = newBar(f.Progress, size, path.Base(rawURL))
		dst = io.MultiWriter(w, bar)
	}
	n, err := io.Copy(dst, ctxReader{ctx, body})
	if bar != nil {
		if err == nil {
			bar.Finish()
		} else {
			fmt.Fprintln(f.Progress)
		}
	}
	if err != nil {
		if ctx.Err() != nil {
			return n, ErrInterrupted
		}
		if errors.Is(err, io.ErrUnexpectedEOF) && size > 0 {
			return n, fmt.Errorf("truncated download: got %d of %d bytes", n, size)
		}
		return n, cleanNetErr(ctx, err)
	}
	if size >= 0 && n != size {
		return n, fmt.Errorf("truncated download: got %d of %d bytes", n, size)
	}
	return n, nil
}

func newBar(w io.Writer, size int64, desc string) *progressbar.ProgressBar {
	if len(desc) > 30 {
		desc = desc[:27] + "..."
	}
	return progressbar.NewOptions64(size,
		progressbar.OptionSetWriter(w),
		progressbar.OptionSetDescription(desc),
		progressbar.OptionShowBytes(true),
		progressbar.OptionShowTotalBytes(true),
		progressbar.OptionShowCount(),
		progressbar.OptionSetPredictTime(true),
		progressbar.OptionSetWidth(20),
		progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionSpinnerType(14),
		progressbar.OptionOnCompletion(func() { fmt.Fprintln(w) }),
		progressbar.OptionSetRenderBlankState(true),
	)
}

// ctxReader stops reading once ctx is done, so that a download of a file:
// URL is interruptible too.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, ErrInterrupted
	}
	return c.r.Read(p)
}

// joinURL joins a base URL and path parts with single slashes.
func joinURL(base string, parts ...string) string {
	s := strings.TrimRight(base, "/")
	for _, p := range parts {
		s += "/" + strings.Trim(p, "/")
	}
	return s
}

func httpStatusText(code int) string { return http.StatusText(code) }
