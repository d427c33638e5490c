package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"ctis"
	"ctis/jsonl"
	"ctis/manifest"
	"ctis/node"
	"ctis/paxlst"
	"ctis/screen"
	"ctis/store"
)

func newScreen(o *options) *cobra.Command {
	var s ctis.Subject
	var agency, purpose, batch, manifestFile string
	var frontline, asJSON bool
	var minScore float64
	cmd := &cobra.Command{
		Use:   "screen --agency CODE --purpose TEXT [--min-score S] (--name NAME [--birth-date D] [--nationality C] [--document N] | --document N | --batch FILE.jsonl | --manifest FILE.edi)",
		Short: "Screen a person or organisation, or a file of them, against the local database",
		Long: "Screen as an officer of --agency: names match across scripts and transliterations, and every hit is\n" +
			"explained, scored, and put in the agency's review queue. With --batch, FILE holds one subject per line\n" +
			"({\"name\":…,\"birth_date\":…,\"nationality\":…,\"gender\":…,\"document_number\":…,\"schema\":…}); one result\n" +
			"line is printed per subject, in order. A detail that does not pass (a malformed birth date, a nationality that\n" +
			"is no country, a bad gender) is left out, with a warning in the subject's result, and the subject screened on\n" +
			"the rest. A line that is not JSON, or a subject with no usable name nor a document number of at least 6\n" +
			"letters and digits to screen by alone, gets an error line in its place and the command fails at the end;\n" +
			"the other lines are screened. With --manifest, every traveller of a PAXLST passenger or crew list is\n" +
			"screened, and each hit keeps the traveller's journey.\n\n" +
			"Hits are the candidates that score from the threshold (0.75) up. --min-score, from 0.5 to 1, shows those\n" +
			"from another score instead, such as the near misses just under the threshold; every hit shown enters the\n" +
			"agency's review queue. Hit notices keep the threshold.",
		Example: "  ctis screen --agency DE-BKA --purpose 'case 2026/17' --name 'أسامة بن لادن' --birth-date 1957\n" +
			"  ctis screen --agency DE-BKA --purpose 'flight LH600' --batch passengers.jsonl > hits.jsonl\n" +
			"  ctis screen --agency DE-BKA --purpose 'case 2026/17' --min-score 0.6 --name 'Abdullah Azzam' --birth-date 1941\n" +
			"  ctis screen --agency DE-BKA --purpose 'flight LH600' --frontline --manifest LH600.edi",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			given := 0
			for _, v := range []string{s.Name + s.DocumentNumber, batch, manifestFile} {
				if v != "" {
					given++
				}
			}
			if given != 1 {
				return fmt.Errorf("give one of --name (or --document), --batch or --manifest")
			}
			if cmd.Flags().Changed("min-score") {
				if err := ctis.ValidMinScore(minScore); err != nil {
					return fmt.Errorf("--min-score: %s", ctis.ErrorMessage(err))
				}
			}
			db, err := o.open(cmd.Context())
			if err != nil {
				return err
			}
			defer db.Close()
			svc, err := screen.New(cmd.Context(), db)
			if err != nil {
				return err
			}
			role := ctis.RoleAnalyst
			if frontline {
				role = ctis.RoleFrontline
			}
			ctx := asAgency(cmd.Context(), agency, purpose)
			id, _ := ctis.IdentityFrom(ctx)
			id.Roles = []ctis.Role{role}
			ctx = ctis.WithPurpose(ctis.NewContext(ctx, id), purpose)
			if cmd.Flags().Changed("min-score") {
				ctx = ctis.WithMinScore(ctx, minScore)
			}
			if batch != "" {
				return screenBatch(ctx, cmd, svc, batch)
			}
			if manifestFile != "" {
				return screenManifest(ctx, cmd, db, svc, manifestFile, asJSON)
			}
			res, err := svc.Screen(ctx, s)
			if err != nil {
				return err
			}
			if asJSON {
				return json.NewEncoder(cmd.OutOrStdout()).Encode(res)
			}
			for _, warn := range res.Warnings {
				fmt.Fprintln(cmd.OutOrStdout(), "warning:", warn)
			}
			printResult(cmd.OutOrStdout(), res)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&s.Name, "name", "", "the name, in any script")
	f.StringVar(&s.BirthDate, "birth-date", "", "date of birth: 1971, 1971-07, 1971-07-28, 1970~ or 1973/1974")
	f.StringVar(&s.Nationality, "nationality", "", "nationality: ISO code or English name")
	f.StringVar(&s.Gender, "gender", "", "male, female, other or unknown")
	f.StringVar(&s.DocumentNumber, "document", "", "passport or identity document number")
	f.StringVar(&s.Schema, "schema", "Person", "Person or Organization")
	f.StringVar(&agency, "agency", "", "screen as an officer of this agency (required)")
	f.StringVar(&purpose, "purpose", "", "why, such as a case number; recorded in the audit trail (required)")
	f.BoolVar(&frontline, "frontline", false, "screen as a frontline officer, who sees only statements released for frontline use")
	f.StringVar(&batch, "batch", "", "a JSON-lines file of subjects (- for stdin)")
	f.StringVar(&manifestFile, "manifest", "", "a UN/EDIFACT PAXLST passenger or crew list (- for stdin)")
	f.BoolVar(&asJSON, "json", false, "print JSON")
	f.Float64Var(&minScore, "min-score", screen.DefaultThreshold, "show the hits that score at least this, from 0.5 to 1")
	cmd.MarkFlagRequired("agency")
	cmd.MarkFlagRequired("purpose")
	return cmd
}

// screenBatch screens a JSON-lines file in batches, printing one line per
// subject in order: its result, or an error line for a line that is not a
// subject or a subject that cannot be screened at all.
func screenBatch(ctx context.Context, cmd *cobra.Command, svc *screen.Service, path string) error {
	in, _, err := openInput(path)
	if err != nil {
		return err
	}
	defer in.Close()
	out := bufio.NewWriter(cmd.OutOrStdout())
	defer out.Flush()
	enc := json.NewEncoder(out)
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 64<<10), jsonl.MaxLine)
	var pending []ctis.Subject
	var slots []int   // index in lines of each pending subject
	var numbers []int // line number of each pending subject
	var lines []any
	failed := 0
	errorLine := func(n int, err error) any {
		failed++
		return map[string]any{"line": n, "error": map[string]string{"code": ctis.ErrorCode(err), "field": ctis.ErrorField(err), "message": ctis.ErrorMessage(err)}}
	}
	flush := func() error {
		if len(pending) > 0 {
			res, err := svc.ScreenBatch(ctx, pending)
			if err != nil {
				return err
			}
			for i, at := range slots {
				if e := res[i].Error; e != nil {
					// The field as the line names it, not as the batch does.
					e.Field = strings.TrimPrefix(strings.TrimPrefix(e.Field, fmt.Sprintf("subjects[%d]", i)), ".")
					lines[at] = errorLine(numbers[i], e)
					continue
				}
				lines[at] = res[i]
			}
		}
		for _, l := range lines {
			if err := enc.Encode(l); err != nil {
				return err
			}
		}
		pending, slots, numbers, lines = pending[:0], slots[:0], numbers[:0], lines[:0]
		return nil
	}
	n := 0
	for sc.Scan() {
		n++
		if strings.TrimSpace(sc.Text()) == "" {
			continue
		}
		var s ctis.Subject
		if err := jsonl.DecodeStrict(sc.Bytes(), &s); err != nil {
			lines = append(lines, errorLine(n, err))
			continue
		}
		pending, slots, numbers, lines = append(pending, s), append(slots, len(lines)), append(numbers, n), append(lines, nil)
		if len(pending) == ctis.MaxBatch {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("line %d: %w", n+1, err)
	}
	if err := flush(); err != nil {
		return err
	}
	if failed > 0 {
		return fmt.Errorf("%d of the lines were not screened; their error lines say why", failed)
	}
	return nil
}

// screenManifest keeps and screens every traveller of the manifests in an
// EDIFACT file.
func screenManifest(ctx context.Context, cmd *cobra.Command, db *store.DB, svc *screen.Service, path string, asJSON bool) error {
	in, _, err := openInput(path)
	if err != nil {
		return err
	}
	defer in.Close()
	ms, err := paxlst.Parse(in)
	if err != nil {
		return fmt.Errorf("%s: %w (ctis parse paxlst %s shows what was read)", path, err, path)
	}
	screened, err := manifest.ReceiverOf(node.Services(db, svc, nil)).ReceiveManifests(ctx, ms)
	if err != nil {
		return err
	}
	w := cmd.OutOrStdout()
	for _, res := range screened {
		if asJSON {
			if err := json.NewEncoder(w).Encode(res); err != nil {
				return err
			}
			continue
		}
		for _, l := range res.Legs {
			fmt.Fprintf(w, "flight %s%s %s %s → %s %s\n", l.Carrier, strings.TrimPrefix(l.Flight, l.Carrier), l.From, l.Departure, l.To, l.Arrival)
		}
		for _, warn := range res.Warnings {
			fmt.Fprintln(w, "warning:", warn)
		}
		fmt.Fprintf(w, "%d travellers screened, %d with hits\n", len(res.Travellers), res.Hits)
		for _, t := range res.Travellers {
			doc := t.Document != nil && t.Document.Hit
			if len(t.Result.Hits) == 0 && len(t.Result.Notices) == 0 && !doc {
				continue
			}
			fmt.Fprintf(w, "\ntraveller %d (%s):\n", t.Index+1, t.Role)
			if len(t.Result.Hits) > 0 || len(t.Result.Notices) > 0 {
				printResult(w, &t.Result)
			}
			if !doc {
				continue
			}
			if t.Document.Status != "" {
				fmt.Fprintf(w, "DOCUMENT HIT: %s is recorded as %s\n", t.Result.Subject.DocumentNumber, t.Document.Status)
			}
			for _, n := range t.Document.Notices {
				fmt.Fprintf(w, "DOCUMENT HIT — contact agency %s (reference %s)\n", n.Contact(), n.Reference)
			}
		}
	}
	return nil
}

// printResult writes a result for a person at a terminal.
func printResult(w io.Writer, r *ctis.ScreenResult) {
	if len(r.Hits) == 0 && len(r.Notices) == 0 {
		if r.Subject.Name == "" {
			fmt.Fprintf(w, "no hit for document %q", r.Subject.DocumentNumber)
		} else {
			fmt.Fprintf(w, "no hit for %q", r.Subject.Name)
		}
		if r.Cleared > 0 {
			fmt.Fprintf(w, " (%d hit(s) cleared before as false positives)", r.Cleared)
		}
		fmt.Fprintln(w)
		return
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, h := range r.Hits {
		ref := h.Reference
		if ref == "" {
			ref = h.EntityID
		}
		fmt.Fprintf(tw, "HIT %.2f\t%s\t%s\t%s\n", h.Score, h.Matched, strings.Join(h.Agencies, ","), ref)
		for _, c := range h.Explanation {
			fmt.Fprintf(tw, "  %s\t%.2f × %.2f\t%s\n", c.Component, c.Score, c.Weight, c.Detail)
		}
		fmt.Fprintf(tw, "  review\t%s\thit %s\n", h.Status, h.ID)
	}
	for _, n := range r.Notices {
		fmt.Fprintf(tw, "HIT — contact agency %s\treference %s\n", n.Contact(), n.Reference)
	}
	tw.Flush()
}

func newCheckDocument(o *options) *cobra.Command {
	var q ctis.DocumentQuery
	var agency, purpose string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "check-document --agency CODE --purpose TEXT --number N [--country C] [--type T]",
		Short: "Check a travel document against the stolen, lost and revoked document lists",
		Long: "Check as a frontline officer of --agency: the answer is hit or no hit, with the document's status, or\n" +
			"\"hit — contact agency X\" for an entry the agency may not see that carries a hit notice. Numbers match\n" +
			"however written: spaces, dashes and the letter O for the digit 0.",
		Example: "  ctis check-document --agency DE-BKA --purpose 'border check' --number 'X 0123-456' --country FRA",
		Args:    cobra.NoArgs,
		RunE: o.withDB(func(cmd *cobra.Command, _ []string, db *store.DB) error {
			ctx := asAgency(cmd.Context(), agency, purpose)
			id, _ := ctis.IdentityFrom(ctx)
			id.Roles = []ctis.Role{ctis.RoleFrontline}
			res, err := db.CheckDocument(ctis.WithPurpose(ctis.NewContext(ctx, id), purpose), q)
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			if asJSON {
				return json.NewEncoder(out).Encode(res)
			}
			switch {
			case res.Status != "":
				fmt.Fprintf(out, "HIT: the document is recorded as %s\n", res.Status)
			case res.Hit:
				for _, n := range res.Notices {
					fmt.Fprintf(out, "HIT — contact agency %s (reference %s)\n", n.Contact(), n.Reference)
				}
			default:
				fmt.Fprintln(out, "no hit")
			}
			return nil
		}),
	}
	f := cmd.Flags()
	f.StringVar(&q.Number, "number", "", "the document number, as written")
	f.StringVar(&q.IssuingCountry, "country", "", "the issuing state: ISO or ICAO code")
	f.StringVar(&q.Type, "type", "", "passport, id_card, visa, residence_permit, travel_document or other")
	f.StringVar(&agency, "agency", "", "check as an officer of this agency (required)")
	f.StringVar(&purpose, "purpose", "", "why; recorded in the audit trail (required)")
	f.BoolVar(&asJSON, "json", false, "print JSON")
	cmd.MarkFlagRequired("number")
	cmd.MarkFlagRequired("agency")
	cmd.MarkFlagRequired("purpose")
	return cmd
}
