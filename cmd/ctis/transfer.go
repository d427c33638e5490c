package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"
	"golang.org/x/term"

	"ctis"
	"ctis/hashfile"
	"ctis/jsonl"
	"ctis/misp"
	"ctis/stix"
	"ctis/unlist"
)

func newImport(o *options) *cobra.Command {
	var format, agency, bank string
	var batch, fromLine int
	var check bool
	cmd := &cobra.Command{
		Use:   "import --format jsonl|stix|misp|un-xml [--agency CODE] FILE",
		Short: "Import entities and statements from a file, or the UN consolidated list",
		Long: "Import entities, one per line, each with its statements, as originated by --agency. Each batch of\n" +
			"--batch lines is written in one transaction: all of it or none. A bad line is reported with its number,\n" +
			"nothing of its batch is written, and the import stops; earlier batches stay. Fix the line and rerun\n" +
			"with --from-line to go on. Entities need stable IDs, so that a re-run adds to them rather than duplicating;\n" +
			"an ID is the importing agency's own key (stored as an ID scoped to that agency), and a statement identical\n" +
			"to a live one of the agency on the same entity is skipped.\n\n" +
			"With --format un-xml, FILE is the UN Security Council consolidated list. Its entries are stored as\n" +
			"entities of agency UN, in that agency's own ID space, released to all members and frontline; entities\n" +
			"others made under the same IDs never block it. Re-importing a newer list updates entries\n" +
			"by DATAID and withdraws those de-listed. Nothing is written if the file is malformed.\n\n" +
			"With --format stix, FILE is a STIX 2.1 bundle as ctis exports it. It is imported whole, in one\n" +
			"transaction: every statement keeps the handling, grading and review date its markings state, and every\n" +
			"statement must be --agency's own (an import makes the importer the originator): a bundle holding another\n" +
			"agency's statements is refused and nothing is written. Withdrawn statements are left out.\n\n" +
			"With --format misp, FILE is the directory or the URL of a MISP feed (manifest.json and an event file per\n" +
			"event). Its MD5, SHA-256 and URL attributes go to the hash bank --bank, and its suspects' person objects\n" +
			"become Persons originated by --agency, each under the handling its distribution and TLP tags allow (see the\n" +
			"README, MISP feeds). The whole feed is read and checked first: malformed or oversized files, unknown\n" +
			"distributions or TLP tags, or a bank that would release an entry further than MISP allows, store nothing.\n" +
			"What ctis does not take is counted.",
		Example: "  ctis import --format jsonl --agency FR-DGSI subjects.jsonl\n  ctis import --format jsonl --agency FR-DGSI --check subjects.jsonl\n" +
			"  ctis import --format stix --agency FR-DGSI fr-dgsi.stix.json\n  ctis import --format un-xml consolidated.xml\n" +
			"  ctis import --format misp --agency FR-DGSI --bank 01J… ./circl-osint",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			switch format {
			case "un-xml":
				return importUNList(cmd, o, args[0])
			case "stix":
				if agency == "" {
					return fmt.Errorf("--agency is required with --format stix: which agency's statements does the bundle hold?")
				}
				return importSTIX(cmd, o, args[0], agency, check)
			case "misp":
				if agency == "" {
					return fmt.Errorf("--agency is required with --format misp: which agency takes the feed in?")
				}
				return importMISP(cmd, o, args[0], agency, bank, check)
			case "jsonl":
				if agency == "" {
					return fmt.Errorf("--agency is required with --format jsonl: which agency originates the statements?")
				}
			default:
				return fmt.Errorf("unknown format %q: choose jsonl, stix, misp or un-xml", format)
			}
			if batch < 1 || batch > 100000 {
				return fmt.Errorf("--batch must be between 1 and 100000")
			}
			f, size, err := openInput(args[0])
			if err != nil {
				return err
			}
			defer f.Close()
			db, err := o.open(cmd.Context())
			if err != nil {
				return err
			}
			defer db.Close()
			ctx := asAgency(cmd.Context(), agency, "import")
			stderr := cmd.ErrOrStderr()
			bar := newBar(stderr, size, "importing")
			done, statements, skipped := 0, 0, 0
			store := func(b lineBatch) error {
				if !check {
					rep, err := db.Import(ctx, b.entities)
					if err != nil {
						return batchFailed(jsonl.BatchError(err, b.lines), b.lines[0], done)
					}
					statements, skipped = statements+rep.Statements, skipped+rep.Skipped
				} else if err := validate(b.entities, b.lines); err != nil {
					return batchFailed(err, b.lines[0], done)
				} else {
					for _, e := range b.entities {
						statements += len(e.Statements)
					}
				}
				if bar != nil {
					bar.Set64(b.offset)
				} else {
					fmt.Fprintf(stderr, "imported lines %d-%d\n", b.lines[0], b.lines[len(b.lines)-1])
				}
				done = b.lines[len(b.lines)-1]
				return nil
			}
			rctx, stop := context.WithCancel(cmd.Context())
			defer stop()
			for b := range readBatches(rctx, jsonl.NewReader(f), fromLine, batch) {
				if b.err != nil {
					return batchFailed(b.err, b.lines[0], done)
				}
				if err := store(b); err != nil {
					return err
				}
				if err := cmd.Context().Err(); err != nil {
					return fmt.Errorf("interrupted: lines up to %d are imported; rerun with --from-line %d to go on", done, done+1)
				}
			}
			if bar != nil {
				bar.Finish()
			}
			if check {
				fmt.Fprintf(stderr, "checked %d lines, %d statements\n", done, statements)
			} else {
				fmt.Fprintf(stderr, "imported %d lines, %d statements; %d skipped as already present\n", done, statements, skipped)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&format, "format", "jsonl", "input format: jsonl, stix, misp or un-xml")
	cmd.Flags().StringVar(&agency, "agency", "", "the originating agency of every imported statement (jsonl, stix, misp)")
	cmd.Flags().StringVar(&bank, "bank", "", "the hash bank a MISP feed's hashes and URLs go to (misp)")
	cmd.Flags().IntVar(&batch, "batch", 1000, "lines per transaction")
	cmd.Flags().IntVar(&fromLine, "from-line", 1, "skip the lines before this one (to resume an import)")
	cmd.Flags().BoolVar(&check, "check", false, "validate every line without writing anything")
	return cmd
}

// lineBatch is a batch of lines of a JSON-lines file, as readBatches
// reads it.
type lineBatch struct {
	entities []ctis.NewEntity
	lines    []int
	// offset is where the reader stood after the batch's last line.
	offset int64
	// err is why the batch's last line could not be read; the batch is
	// then not stored.
	err error
}

// readBatches reads r's lines from line fromLine on, in batches of n, on
// a goroutine of its own: the next batch is read and checked while the
// one before is stored. It stops at the end of r, after a line that does
// not read, or when ctx ends.
func readBatches(ctx context.Context, r *jsonl.Reader, fromLine, n int) <-chan lineBatch {
	out := make(chan lineBatch, 1)
	go func() {
		defer close(out)
		var b lineBatch
		send := func() bool {
			b.offset = r.Offset
			select {
			case out <- b:
				b = lineBatch{}
				return true
			case <-ctx.Done():
				return false
			}
		}
		for {
			e, line, err := r.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if line < fromLine {
				continue
			}
			if err != nil {
				b.lines, b.err = append(b.lines, line), err
				send()
				return
			}
			b.entities, b.lines = append(b.entities, e), append(b.lines, line)
			if len(b.entities) == n && !send() {
				return
			}
		}
		if len(b.entities) > 0 {
			send()
		}
	}()
	return out
}

// importUNList syncs the node with a UN consolidated list.
func importUNList(cmd *cobra.Command, o *options, path string) error {
	f, _, err := openInput(path)
	if err != nil {
		return err
	}
	defer f.Close()
	list, err := unlist.Parse(f)
	if err != nil {
		return fmt.Errorf("%s: %w\nnothing was imported", path, err)
	}
	db, err := o.open(cmd.Context())
	if err != nil {
		return err
	}
	defer db.Close()
	rep, warnings, err := unlist.Import(operator(cmd.Context()), db, list)
	stderr := cmd.ErrOrStderr()
	for _, w := range warnings {
		fmt.Fprintln(stderr, "warning:", w)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(stderr, "UN list of %s: %d entries; %d new, %d changed, %d unchanged, %d de-listed; %d statements added, %d withdrawn\n",
		list.Generated.Format("2006-01-02"), len(list.Entries), rep.Created, rep.Changed, rep.Unchanged, rep.Removed, rep.Added, rep.Withdrawn)
	return nil
}

// importSTIX imports a STIX bundle of agency's statements, all or nothing.
func importSTIX(cmd *cobra.Command, o *options, path, agency string, check bool) error {
	f, _, err := openInput(path)
	if err != nil {
		return err
	}
	defer f.Close()
	entities, err := stix.Read(f, 0)
	if err != nil {
		return fmt.Errorf("%s: %w\nnothing was imported", path, err)
	}
	batch, withdrawn, err := stix.NewEntities(entities, agency)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	stderr := cmd.ErrOrStderr()
	statements := 0
	for _, e := range batch {
		statements += len(e.Statements)
	}
	if check {
		for i := range batch {
			if _, err := batch[i].Validate("0000-00-00"); err != nil {
				return fmt.Errorf("%s: entity %s: %w\nnothing was imported", path, batch[i].ID, err)
			}
		}
		fmt.Fprintf(stderr, "checked %d entities, %d statements; %d withdrawn statements would be left out\n", len(batch), statements, withdrawn)
		return nil
	}
	db, err := o.open(cmd.Context())
	if err != nil {
		return err
	}
	defer db.Close()
	rep, err := db.Import(asAgency(cmd.Context(), agency, "import"), batch)
	if err != nil {
		return fmt.Errorf("%s: %w\nnothing was imported", path, err)
	}
	fmt.Fprintf(stderr, "imported %d entities (%d new), %d statements; %d skipped as already present, %d withdrawn left out\n",
		rep.Entities, rep.Created, rep.Statements, rep.Skipped, withdrawn)
	return nil
}

// importMISP imports a MISP feed: its hashes and URLs into a bank, its
// suspects as Persons. Everything is read and checked before anything is
// stored.
func importMISP(cmd *cobra.Command, o *options, dir, agency, bank string, check bool) error {
	fsys := os.DirFS(dir)
	if strings.HasPrefix(dir, "https://") || strings.HasPrefix(dir, "http://") {
		fsys = misp.HTTPFS(cmd.Context(), &http.Client{Timeout: 5 * time.Minute}, dir)
	}
	feed, err := misp.ReadFeed(fsys, 0)
	if err != nil {
		return fmt.Errorf("%s: %w\nnothing was imported", dir, err)
	}
	if len(feed.Entries) > 0 && bank == "" {
		return fmt.Errorf("%s holds %d hashes and URLs: give --bank, the hash bank they go to; nothing was imported", dir, len(feed.Entries))
	}
	statements := 0
	for i := range feed.Entities {
		if _, err := feed.Entities[i].Validate("0000-00-00"); err != nil {
			return fmt.Errorf("%s: person %s: %w\nnothing was imported", dir, feed.Entities[i].ID, err)
		}
		statements += len(feed.Entities[i].Statements)
	}
	stderr := cmd.ErrOrStderr()
	skipped := slices.Sorted(maps.Keys(feed.Skipped))
	for _, what := range skipped {
		fmt.Fprintf(stderr, "warning: left out %d %s\n", feed.Skipped[what], what)
	}
	db, err := o.open(cmd.Context())
	if err != nil {
		return err
	}
	defer db.Close()
	ctx := asAgency(cmd.Context(), agency, "import")
	if len(feed.Entries) > 0 {
		b, err := findBank(ctx, db, bank)
		if err != nil {
			return fmt.Errorf("--bank %s: %w\nnothing was imported", bank, err)
		}
		if err := feed.CheckBank(b); err != nil {
			return fmt.Errorf("%s: %w\nnothing was imported", dir, err)
		}
	}
	if check {
		fmt.Fprintf(stderr, "checked %d events: %d hashes and URLs, %d persons with %d statements\n", feed.Events, len(feed.Entries), len(feed.Entities), statements)
		return nil
	}
	stored := 0
	if len(feed.Entries) > 0 {
		if stored, err = hashfile.Add(ctx, db, bank, feed.HashEntries(), nil); err != nil {
			return fmt.Errorf("%s: %w\n%d hashes and URLs were stored before this, and no person; importing the feed again is safe", dir, err, stored)
		}
	}
	rep := &ctis.ImportReport{}
	if len(feed.Entities) > 0 {
		if rep, err = db.Import(ctx, feed.Entities); err != nil {
			return fmt.Errorf("%s: %w\nthe hashes and URLs were stored, no person; importing the feed again is safe", dir, err)
		}
	}
	fmt.Fprintf(stderr, "imported %d events: %d hashes and URLs stored in bank %s; %d persons (%d new), %d statements, %d skipped as already present\n",
		feed.Events, stored, bank, rep.Entities, rep.Created, rep.Statements, rep.Skipped)
	return nil
}

// validate checks a batch as the store would, short of the database.
func validate(entities []ctis.NewEntity, lines []int) error {
	for i := range entities {
		if _, err := entities[i].Validate("0000-00-00"); err != nil {
			return &jsonl.LineError{Line: lines[i], Err: err}
		}
	}
	return nil
}

func batchFailed(err error, first, done int) error {
	return fmt.Errorf("%w\nnothing from the batch starting at line %d was written; lines before it are imported.\n"+
		"Fix the line and rerun with --from-line %d", err, first, done+1)
}

func newExport(o *options) *cobra.Command {
	var format, agency, purpose, out string
	cmd := &cobra.Command{
		Use:   "export --format jsonl|stix --agency CODE --purpose TEXT",
		Short: "Export every entity an agency may see, with provenance and handling",
		Long: "Write one entity per line with the statements that --agency may see under their handling, withdrawn\n" +
			"statements included and marked. The export is audited with its purpose.\n\n" +
			"With --format stix, write one STIX 2.1 bundle of the same statements: each entity an object, each\n" +
			"statement naming another entity a relationship, every statement marked with its TLP 2.0 level and its\n" +
			"exact ctis handling (see the README, STIX 2.1). The bundle is built in memory.",
		Example: "  ctis export --format jsonl --agency DE-BKA --purpose 'annual review 2026' -o de-bka.jsonl\n" +
			"  ctis export --format stix --agency DE-BKA --purpose 'exchange with SCO RATS' -o de-bka.stix.json",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if format != "jsonl" && format != "stix" {
				return fmt.Errorf("unknown format %q: choose jsonl or stix", format)
			}
			db, err := o.open(cmd.Context())
			if err != nil {
				return err
			}
			defer db.Close()
			dst := cmd.OutOrStdout()
			if out != "" && out != "-" {
				f, err := os.Create(out)
				if err != nil {
					return err
				}
				defer f.Close()
				dst = f
			}
			ctx := asAgency(cmd.Context(), agency, purpose)
			n := 0
			if format == "stix" {
				var entities []ctis.Entity
				err = db.Export(ctx, func(e *ctis.Entity) error {
					entities = append(entities, *e)
					return nil
				})
				if err != nil {
					return err
				}
				n = len(entities)
				if err := stix.Write(dst, entities); err != nil {
					return err
				}
				fmt.Fprintf(cmd.ErrOrStderr(), "exported %d entities\n", n)
				return nil
			}
			w := jsonl.NewWriter(dst)
			err = db.Export(ctx, func(e *ctis.Entity) error {
				n++
				return w.Write(e)
			})
			if err != nil {
				return err
			}
			if err := w.Flush(); err != nil {
				return err
			}
			fmt.Fprintf(cmd.ErrOrStderr(), "exported %d entities\n", n)
			return nil
		},
	}
	cmd.Flags().StringVar(&format, "format", "jsonl", "output format: jsonl or stix")
	cmd.Flags().StringVar(&agency, "agency", "", "export what this agency may see (required)")
	cmd.Flags().StringVar(&purpose, "purpose", "", "why, such as a case number; recorded in the audit trail (required)")
	cmd.Flags().StringVarP(&out, "output", "o", "-", "output file")
	cmd.MarkFlagRequired("agency")
	cmd.MarkFlagRequired("purpose")
	return cmd
}

// openInput opens a file, or stdin for "-", and returns its size if known.
func openInput(path string) (io.ReadCloser, int64, error) {
	if path == "-" {
		return io.NopCloser(os.Stdin), -1, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, 0, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, 0, err
	}
	return f, st.Size(), nil
}

// newCountBar is newBar counting items rather than bytes, total unknown.
func newCountBar(w io.Writer, what string) *progressbar.ProgressBar {
	f, ok := w.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return nil
	}
	return progressbar.NewOptions(-1, progressbar.OptionSetWriter(w), progressbar.OptionSetDescription(what),
		progressbar.OptionShowCount(), progressbar.OptionThrottle(100_000_000), progressbar.OptionClearOnFinish())
}

// newBar returns a progress bar on w when w is a terminal, else nil: logs
// and pipes get plain lines instead.
func newBar(w io.Writer, size int64, what string) *progressbar.ProgressBar {
	f, ok := w.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return nil
	}
	return progressbar.NewOptions64(size, progressbar.OptionSetWriter(w), progressbar.OptionSetDescription(what),
		progressbar.OptionShowBytes(true), progressbar.OptionThrottle(100_000_000), progressbar.OptionClearOnFinish())
}
