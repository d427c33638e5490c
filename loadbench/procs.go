package loadbench

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"time"

	"ctis/deploy"
)

// healthPath is what the balancer asks each serve process to learn that
// it can take requests: 200 once its store answers and its indexes are
// built.
const healthPath = "/readyz"

// child is a process the bench started: a `ctis serve` or the balancer.
type child struct {
	name string
	cmd  *exec.Cmd
	log  string // the file holding its output
	addr string // where it listens
	done chan struct{}
	err  error // how it ended, once done is closed
}

// start starts cmd as the child name, its output going to a file in dir.
// watch, if not nil, sees each line of the child's output.
func start(name string, cmd *exec.Cmd, dir string, watch func(line string)) (*child, error) {
	c := &child{name: name, cmd: cmd, log: filepath.Join(dir, name+".log"), done: make(chan struct{})}
	f, err := os.Create(c.log)
	if err != nil {
		return nil, err
	}
	var out io.Writer = f
	if watch != nil {
		// One writer for both, so that exec writes to it from one
		// goroutine at a time.
		out = io.MultiWriter(f, &lineWriter{fn: watch})
	}
	cmd.Stdout, cmd.Stderr = out, out
	dieWithParent(cmd)
	if err := cmd.Start(); err != nil {
		f.Close()
		return nil, fmt.Errorf("starting %s: %w", name, err)
	}
	go func() {
		c.err = cmd.Wait()
		f.Close()
		close(c.done)
	}()
	return c, nil
}

// exited reports whether the child has ended.
func (c *child) exited() bool {
	select {
	case <-c.done:
		return true
	default:
		return false
	}
}

// kill ends the child at once, as a crash would (SIGKILL).
func (c *child) kill() {
	c.cmd.Process.Kill()
	<-c.done
}

// stop asks the child to finish (SIGTERM), letting it end its requests,
// and kills it after grace.
func (c *child) stop(grace time.Duration) {
	if c.exited() {
		return
	}
	if err := c.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		c.kill()
		return
	}
	select {
	case <-c.done:
	case <-time.After(grace):
		c.kill()
	}
}

// tail returns the last lines of the child's output, for an error message.
func (c *child) tail() string {
	b, _ := os.ReadFile(c.log)
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) > 15 {
		lines = lines[len(lines)-15:]
	}
	return "  " + strings.Join(lines, "\n  ")
}

// lineWriter calls fn with each complete line written to it.
type lineWriter struct {
	fn  func(string)
	buf []byte
}

func (w *lineWriter) Write(p []byte) (int, error) {
	w.buf = append(w.buf, p...)
	for {
		i := bytes.IndexByte(w.buf, '\n')
		if i < 0 {
			return len(p), nil
		}
		w.fn(string(w.buf[:i]))
		w.buf = w.buf[i+1:]
	}
}

// serving is the line `ctis serve` prints once it listens.
var serving = regexp.MustCompile(`^ctis is serving http://(\S+) `)

// cluster is the running node: its serve processes and the balancer.
type cluster struct {
	serves   []*child
	balancer *child
	url      string // the balancer's

	mu   sync.Mutex
	down map[string]time.Time // when the balancer said a server was down
}

// downSince returns when the balancer reported server name down, if it did.
func (cl *cluster) downSince(name string) (time.Time, bool) {
	cl.mu.Lock()
	defer cl.mu.Unlock()
	t, ok := cl.down[name]
	return t, ok
}

// serverDown is HAProxy's warning that it took a server out.
var serverDown = regexp.MustCompile(`Server serve/(\S+) is DOWN`)

// startServe starts `ctis serve` number i on a port of its choosing and
// waits until it answers its health check: it first builds its screening
// index from the store, which takes a while on a large one.
func startServe(ctx context.Context, o *Options, dsn, dir string, i int) (*child, error) {
	cmd := o.Command("serve", "--addr", "127.0.0.1:0")
	cmd.Env = append(cmd.Environ(), "CTIS_DB="+dsn)
	addr := make(chan string, 1)
	c, err := start(fmt.Sprintf("serve%d", i), cmd, dir, func(line string) {
		if m := serving.FindStringSubmatch(line); m != nil {
			select {
			case addr <- m[1]:
			default:
			}
		}
	})
	if err != nil {
		return nil, err
	}
	select {
	case c.addr = <-addr:
	case <-c.done:
		return nil, fmt.Errorf("%s ended before it served (%v); its last lines (%s):\n%s", c.name, c.err, c.log, c.tail())
	case <-ctx.Done():
		c.kill()
		return nil, ctx.Err()
	case <-time.After(o.StartTimeout):
		c.kill()
		return nil, fmt.Errorf("%s did not serve within %s (raise --start-timeout for a large store); its last lines:\n%s", c.name, o.StartTimeout, c.tail())
	}
	if err := waitHealthy(ctx, "http://"+c.addr+healthPath, o.StartTimeout, c); err != nil {
		c.kill()
		return nil, err
	}
	return c, nil
}

// startBalancer starts HAProxy from deploy/haproxy.cfg in front of serves
// and waits until a request through it is answered.
func (cl *cluster) startBalancer(ctx context.Context, o *Options, dir string) (*child, error) {
	serves := cl.serves
	listen, err := freeAddr()
	if err != nil {
		return nil, err
	}
	b := deploy.Balanced{Listen: listen, HealthPath: healthPath}
	for _, s := range serves {
		b.Servers = append(b.Servers, deploy.Server{Name: s.name, Addr: s.addr})
	}
	var cfg bytes.Buffer
	if err := deploy.WriteHAProxy(&cfg, b); err != nil {
		return nil, err
	}
	path := filepath.Join(dir, "haproxy.cfg")
	if err := os.WriteFile(path, cfg.Bytes(), 0o600); err != nil {
		return nil, err
	}
	// -db keeps it in the foreground, a child of the bench.
	cl.down = map[string]time.Time{}
	c, err := start("haproxy", exec.Command(o.HAProxy, "-db", "-f", path), dir, func(line string) {
		if m := serverDown.FindStringSubmatch(line); m != nil {
			cl.mu.Lock()
			if _, ok := cl.down[m[1]]; !ok {
				cl.down[m[1]] = time.Now()
			}
			cl.mu.Unlock()
		}
	})
	if err != nil {
		return nil, err
	}
	c.addr = listen
	if err := waitHealthy(ctx, "http://"+listen+healthPath, 30*time.Second, c); err != nil {
		c.kill()
		return nil, err
	}
	return c, nil
}

// waitHealthy polls url (a health path, or a peer's search) until it
// answers 200, c ends, or limit passes.
func waitHealthy(ctx context.Context, url string, limit time.Duration, c *child) error {
	deadline := time.Now().Add(limit)
	client := &http.Client{Timeout: 2 * time.Second}
	var last error
	for time.Now().Before(deadline) {
		res, err := client.Get(url)
		if err == nil {
			io.Copy(io.Discard, res.Body)
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return nil
			}
			err = fmt.Errorf("status %d", res.StatusCode)
		}
		last = err
		select {
		case <-c.done:
			return fmt.Errorf("%s ended (%v); its last lines (%s):\n%s", c.name, c.err, c.log, c.tail())
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
	return fmt.Errorf("%s did not answer %s within %s (last: %v); its last lines:\n%s", c.name, url, limit, last, c.tail())
}

// freeAddr returns a loopback address with a port free at the moment.
func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// startCluster starts o.Processes serve processes, one after the other so
// that their index builds do not compete for the cores, and the balancer.
// On error, whatever was started is stopped.
func startCluster(ctx context.Context, o *Options, dsn, dir string) (*cluster, error) {
	cl := &cluster{}
	for i := 1; i <= o.Processes; i++ {
		t0 := time.Now()
		o.progressf("starting serve process %d of %d (it builds its screening index)", i, o.Processes)
		c, err := startServe(ctx, o, dsn, dir, i)
		if err != nil {
			cl.stop()
			return nil, err
		}
		o.progressf("serve%d ready at %s (%s)", i, c.addr, since(t0))
		cl.serves = append(cl.serves, c)
	}
	b, err := cl.startBalancer(ctx, o, dir)
	if err != nil {
		cl.stop()
		return nil, fmt.Errorf("starting HAProxy: %w", err)
	}
	o.progressf("HAProxy balancing at %s", b.addr)
	cl.balancer, cl.url = b, "http://"+b.addr
	return cl, nil
}

// stop stops the balancer, then every serve process still running, each
// given time to finish its requests.
func (cl *cluster) stop() {
	if cl.balancer != nil {
		cl.balancer.stop(5 * time.Second)
	}
	var wg sync.WaitGroup
	for _, s := range cl.serves {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s.stop(15 * time.Second)
		}()
	}
	wg.Wait()
}

// crashed describes how the serve processes ended that were not killed by
// the bench, so that a crash under load is not mistaken for a clean stop.
func (cl *cluster) crashed(killed *child) error {
	var errs []error
	for _, s := range cl.serves {
		if s == killed || !s.exited() {
			continue
		}
		errs = append(errs, fmt.Errorf("%s ended during the run (%v); its last lines (%s):\n%s", s.name, s.err, s.log, s.tail()))
	}
	return errors.Join(errs...)
}

// haproxyVersion returns the first line of `haproxy -v`.
func haproxyVersion(path string) string {
	out, err := exec.Command(path, "-v").Output()
	if err != nil {
		return "unknown (" + err.Error() + ")"
	}
	line, _, _ := bufio.NewReader(bytes.NewReader(out)).ReadLine()
	return string(line)
}
