// Command interop is the Go side of deploy/interop/run: it records the
// exchanges of a client and a server, pulls a TAXII 2.1 collection with
// ctis's TAXII client, as a ctis node pulls a peer's, and prepares the
// data and the recordings of the run.
//
//	interop record -listen ADDR -target URL -out FILE.jsonl
//	interop pull -discovery URL (-token T | -user U -password P) [-limit N]
//	interop envelope -agency CODE -out FILE
//	interop medallion-data -export FILE -root URL [-keep-un N] -out FILE
//	interop normalise -in FILE.jsonl -out FILE.json -base URL [-token T] [-user U] [-about TEXT] [-bind]
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"text/tabwriter"
	"time"

	"ctis/deploy/interop"
	"ctis/stix"
	"ctis/taxii"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: interop record|pull|envelope|medallion-data|normalise …")
		os.Exit(2)
	}
	var err error
	args := os.Args[2:]
	switch os.Args[1] {
	case "record":
		err = record(args)
	case "pull":
		err = pull(args)
	case "envelope":
		err = envelope(args)
	case "medallion-data":
		err = medallionData(args)
	case "normalise":
		err = normalise(args)
	default:
		err = fmt.Errorf("unknown command %q", os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "interop:", err)
		os.Exit(1)
	}
}

// record proxies ADDR to URL until it is told to stop, appending every
// exchange to FILE.
func record(args []string) error {
	fs := flag.NewFlagSet("record", flag.ExitOnError)
	listen := fs.String("listen", "127.0.0.1:0", "where to listen (loopback)")
	target := fs.String("target", "", "the server's base URL")
	out := fs.String("out", "", "the file of exchanges, one JSON line each")
	fs.Parse(args)
	f, err := os.OpenFile(*out, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	defer f.Close()
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		return err
	}
	fmt.Printf("recording http://%s → %s\n", ln.Addr(), *target)
	srv := &http.Server{Handler: &interop.Recorder{Target: *target, Out: f}, ReadHeaderTimeout: 10 * time.Second}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() { <-ctx.Done(); srv.Shutdown(context.Background()) }()
	if err := srv.Serve(ln); err != http.ErrServerClosed {
		return err
	}
	return nil
}

// pull pulls a collection and prints each step, PASS or FAIL.
func pull(args []string) error {
	fs := flag.NewFlagSet("pull", flag.ExitOnError)
	discovery := fs.String("discovery", "", "the discovery URL")
	token := fs.String("token", "", "a bearer token")
	user := fs.String("user", "", "a user for HTTP basic authentication")
	password := fs.String("password", "", "its password")
	collection := fs.String("collection", "", "the collection's ID (default: the first that can be read)")
	limit := fs.Int("limit", 10, "objects a page")
	out := fs.String("out", "", "write the objects pulled here, as a STIX bundle")
	fs.Parse(args)
	hc := &http.Client{Timeout: 30 * time.Second}
	if *user != "" {
		hc.Transport = interop.BasicAuth(*user, *password, nil)
	}
	p := &interop.Puller{Client: &taxii.Client{Discovery: *discovery, HTTP: hc, Token: *token}, Collection: *collection, Limit: *limit}
	pulled, err := p.Pull(context.Background())
	if err == nil && *out != "" {
		bundle, _ := json.Marshal(map[string]any{"type": "bundle", "id": "bundle--" + stix.UUID5([16]byte{}, "interop pull"), "objects": pulled.Objects})
		err = os.WriteFile(*out, bundle, 0o644)
	}
	tw := tabwriter.NewWriter(os.Stdout, 2, 4, 2, ' ', 0)
	failed := 0
	for _, s := range p.Steps {
		verdict := "PASS"
		if s.Failed != "" {
			verdict, failed = "FAIL", failed+1
		}
		fmt.Fprintf(tw, "%s\tctis client ← medallion: %s\t%s\n", verdict, s.Name, s.Failed)
	}
	tw.Flush()
	if failed > 0 || err != nil {
		return fmt.Errorf("%d steps failed (%v)", failed, err)
	}
	return nil
}

func envelope(args []string) error {
	fs := flag.NewFlagSet("envelope", flag.ExitOnError)
	agency := fs.String("agency", "DE-BKA", "the agency whose own statements the envelope holds")
	out := fs.String("out", "", "the file")
	fs.Parse(args)
	b, err := interop.PostedEnvelope(*agency)
	if err != nil {
		return err
	}
	return os.WriteFile(*out, b, 0o644)
}

func medallionData(args []string) error {
	fs := flag.NewFlagSet("medallion-data", flag.ExitOnError)
	export := fs.String("export", "", "a STIX bundle written by ctis export --format stix")
	root := fs.String("root", "", "the URL of medallion's API root, ending in /")
	keep := fs.Int("keep-un", 5, "how many of the UN list's objects to keep")
	out := fs.String("out", "", "medallion's data file")
	fs.Parse(args)
	b, err := os.ReadFile(*export)
	if err != nil {
		return err
	}
	data, n, err := interop.MedallionData(b, *root, *keep)
	if err != nil {
		return err
	}
	fmt.Printf("medallion data: %d objects\n", n)
	return os.WriteFile(*out, data, 0o644)
}

func normalise(args []string) error {
	fs := flag.NewFlagSet("normalise", flag.ExitOnError)
	in := fs.String("in", "", "exchanges recorded, one JSON line each")
	out := fs.String("out", "", "the recording, for testdata")
	base := fs.String("base", "", "the base URL the client reached the server by")
	token := fs.String("token", "", "the client's token, replaced by {{token}}")
	user := fs.String("user", "", "the demo user of the token")
	about := fs.String("about", "", "what the recording is")
	bind := fs.Bool("bind", false, "replace the values a replay must take from its own responses (a recording of ctis)")
	fs.Parse(args)
	f, err := os.Open(*in)
	if err != nil {
		return err
	}
	defer f.Close()
	xs, err := interop.ReadLines(f)
	if err != nil {
		return err
	}
	if *bind {
		xs, err = interop.Normalise(xs, *base, *token)
	} else {
		xs, err = interop.Unbase(xs, *base)
	}
	if err != nil {
		return err
	}
	return interop.WriteRecording(*out, &interop.Recording{About: *about, User: *user, Exchanges: xs})
}
