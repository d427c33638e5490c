package misp

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"strings"
	"time"
)

// HTTPFS is a feed published over HTTP, as CIRCL publishes its OSINT feed
// (base https://www.circl.lu/doc/misp/feed-osint/): Open(name) gets
// base+name, so ReadFeed reads a feed by URL as it reads a directory.
// Only GET is sent, and a file is whatever a 200 answer holds.
func HTTPFS(ctx context.Context, client *http.Client, base string) fs.FS {
	if !strings.HasSuffix(base, "/") {
		base += "/"
	}
	return &httpFS{ctx: ctx, client: client, base: base}
}

type httpFS struct {
	ctx    context.Context
	client *http.Client
	base   string
}

func (h *httpFS) Open(name string) (fs.File, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrInvalid}
	}
	req, err := http.NewRequestWithContext(h.ctx, http.MethodGet, h.base+name, nil)
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: name, Err: err}
	}
	res, err := h.client.Do(req)
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: name, Err: err}
	}
	if res.StatusCode != http.StatusOK {
		res.Body.Close()
		return nil, &fs.PathError{Op: "open", Path: name, Err: fmt.Errorf("%s answered %s", h.base+name, res.Status)}
	}
	return &httpFile{name: name, body: res.Body, size: res.ContentLength}, nil
}

type httpFile struct {
	name string
	body io.ReadCloser
	size int64
}

func (f *httpFile) Read(b []byte) (int, error) { return f.body.Read(b) }
func (f *httpFile) Close() error               { return f.body.Close() }
func (f *httpFile) Stat() (fs.FileInfo, error) { return fileInfo{f}, nil }

type fileInfo struct{ f *httpFile }

func (i fileInfo) Name() string       { return i.f.name }
func (i fileInfo) Size() int64        { return i.f.size }
func (i fileInfo) Mode() fs.FileMode  { return 0o444 }
func (i fileInfo) ModTime() time.Time { return time.Time{} }
func (i fileInfo) IsDir() bool        { return false }
func (i fileInfo) Sys() any           { return nil }
