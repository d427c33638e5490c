package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"ctis"
	"ctis/hashbank"
	"ctis/hashfile"
	"ctis/stix"
	"ctis/store"
)

func newHashBank(o *options) *cobra.Command {
	cmd := &cobra.Command{Use: "hashbank", Short: "Keep banks of hashes of terrorist content shared with members and platforms"}
	var agency string
	cmd.PersistentFlags().StringVar(&agency, "agency", "", "the agency acting (required)")

	var b ctis.HashBank
	var agencies string
	create := &cobra.Command{
		Use:   "create --agency CODE --name NAME [--distribution all|group|agencies|originator …] [--restriction H0-H3]",
		Short: "Create a bank owned by the agency",
		Long: "Create a bank. Its handling decides, as a statement's does, who may see and match its entries: give\n" +
			"--distribution (with --group or --to), and --frontline to release it to border and police officers,\n" +
			"--hit-notice to be told of matches by members who may not see it, and --restriction for how its entries may\n" +
			"be used. --open lets every member who may see the bank add to it.",
		Example: "  ctis hashbank create --agency FR-DGSI --name 'Daesh media' --distribution all --frontline",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if agencies != "" {
				b.Handling.Agencies = strings.Split(agencies, ",")
			}
			return withHashStore(cmd.Context(), o, agency, func(ctx context.Context, svc *store.DB) error {
				out, err := svc.CreateHashBank(ctx, b)
				if err != nil {
					return err
				}
				fmt.Fprintf(cmd.OutOrStdout(), "bank %s %q created\n", out.ID, out.Name)
				return nil
			})
		},
	}
	f := create.Flags()
	f.StringVar(&b.Name, "name", "", "the bank's name")
	f.StringVar(&b.Description, "description", "", "what the bank holds")
	f.BoolVar(&b.Open, "open", false, "let every member who may see the bank add to it")
	f.StringVar((*string)(&b.Handling.Distribution), "distribution", "originator", "who may see it: originator, agencies, group or all")
	f.StringVar(&agencies, "to", "", "for --distribution agencies: comma-separated agency codes")
	f.StringVar(&b.Handling.Group, "group", "", "for --distribution group: the sharing group")
	f.BoolVar(&b.Handling.Frontline, "frontline", false, "release to frontline officers")
	f.BoolVar(&b.Handling.HitNotice, "hit-notice", false, "tell members who may not see the bank that they matched it, and whom to contact")
	f.StringVar((*string)(&b.Handling.Restriction), "restriction", "H0", "use restriction: H0 none, H1 not as evidence, H2 no further dissemination, H3 as --restriction-text says")
	f.StringVar(&b.Handling.RestrictionText, "restriction-text", "", "for --restriction H3: the restriction")

	list := &cobra.Command{
		Use:   "list --agency CODE",
		Short: "List the banks the agency may see",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withHashStore(cmd.Context(), o, agency, func(ctx context.Context, svc *store.DB) error {
				banks, err := svc.HashBanks(ctx)
				if err != nil {
					return err
				}
				tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 0, 2, ' ', 0)
				fmt.Fprintln(tw, "ID\tNAME\tAGENCY\tDISTRIBUTION\tOPEN")
				for _, b := range banks {
					fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%v\n", b.ID, b.Name, b.Agency, b.Handling.Distribution, b.Open)
				}
				return tw.Flush()
			})
		},
	}

	// Each command binds its own format: a variable bound by two flags
	// takes the default of the last one bound.
	var bank, format, exportFormat string
	imp := &cobra.Command{
		Use:   "import --agency CODE --bank ID FILE.csv|FILE.jsonl|FILE.stix.json",
		Short: "Add the entries of a CSV, JSON lines or STIX file to a bank",
		Long: "Add entries to a bank: a CSV file whose header names type and value and any of quality, entity,\n" +
			"behaviours (separated by |), content_type; or JSON lines, one entry per line. Every entry is checked\n" +
			"before any is stored, and a bad one is reported with its line; nothing is stored then. Entries already\n" +
			"in the bank are relabelled, so importing a file again is safe. Disabled entries of an export are left out.\n\n" +
			"With --format stix (or a file named *.stix.json), FILE is a STIX 2.1 bundle of indicators as\n" +
			"hashbank export --format stix writes it: every entry must be --agency's own, and the bank's handling the\n" +
			"one the entries were exported under; otherwise nothing is stored.",
		Example: "  ctis hashbank import --agency FR-DGSI --bank 01J… gifct-export.csv\n  ctis hashbank import --agency FR-DGSI --bank 01J… bank.stix.json",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if format == "stix" || format == "" && strings.HasSuffix(strings.ToLower(args[0]), ".stix.json") {
				return importBankSTIX(cmd, o, agency, bank, args[0])
			}
			fm, err := fileFormat(format, args[0])
			if err != nil {
				return err
			}
			in, _, err := openInput(args[0])
			if err != nil {
				return err
			}
			defer in.Close()
			return withHashStore(cmd.Context(), o, agency, func(ctx context.Context, svc *store.DB) error {
				r, err := hashfile.NewReader(in, fm)
				if err != nil {
					return err
				}
				bar := newCountBar(cmd.ErrOrStderr(), "entries stored")
				n, err := hashfile.Import(ctx, svc, bank, r, 50_000_000, func(stored int) {
					if bar != nil {
						bar.Set(stored)
					}
				})
				if bar != nil {
					bar.Finish()
				}
				if err != nil {
					if n > 0 {
						return fmt.Errorf("%w\n%d entries were stored before this; import the file again once fixed", err, n)
					}
					return fmt.Errorf("%w\nnothing was stored; fix the file and import it again", err)
				}
				fmt.Fprintf(cmd.OutOrStdout(), "%d entries stored in bank %s\n", n, bank)
				return nil
			})
		},
	}
	imp.Flags().StringVar(&bank, "bank", "", "the bank's ID")
	imp.Flags().StringVar(&format, "format", "", "csv, jsonl or stix (default: from the file name)")

	var disabled bool
	exp := &cobra.Command{
		Use:   "export --agency CODE --bank ID [--format csv|jsonl|stix]",
		Short: "Write a bank's entries as CSV, JSON lines or STIX 2.1 indicators",
		Long: "Write a bank's entries. With --format stix, write one STIX 2.1 bundle: an indicator for each entry, its\n" +
			"STIX pattern holding the hash or URL, marked with the bank's handling as statements are (see the README,\n" +
			"STIX 2.1).",
		Example: "  ctis hashbank export --agency DE-BKA --bank 01J… --format jsonl > bank.jsonl\n" +
			"  ctis hashbank export --agency DE-BKA --bank 01J… --format stix > bank.stix.json",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if exportFormat == "stix" {
				return withHashStore(cmd.Context(), o, agency, func(ctx context.Context, svc *store.DB) error {
					b, err := findBank(ctx, svc, bank)
					if err != nil {
						return err
					}
					entries, err := hashfile.Entries(ctx, svc, ctis.HashEntryFilter{Bank: bank, Disabled: disabled})
					if err != nil {
						return err
					}
					return stix.WriteIndicators(cmd.OutOrStdout(), b, entries)
				})
			}
			fm, err := hashfile.ParseFormat(exportFormat)
			if err != nil {
				return err
			}
			return withHashStore(cmd.Context(), o, agency, func(ctx context.Context, svc *store.DB) error {
				_, err := hashfile.Export(ctx, svc, ctis.HashEntryFilter{Bank: bank, Disabled: disabled}, hashfile.NewWriter(cmd.OutOrStdout(), fm))
				return err
			})
		},
	}
	exp.Flags().StringVar(&bank, "bank", "", "the bank's ID")
	exp.Flags().StringVar(&exportFormat, "format", "csv", "csv, jsonl or stix")
	exp.Flags().BoolVar(&disabled, "disabled", false, "include disabled entries")

	cmd.AddCommand(create, list, imp, exp)
	return cmd
}

// importBankSTIX adds the entries of a STIX bundle of indicators to a
// bank, all of them checked before any is stored.
func importBankSTIX(cmd *cobra.Command, o *options, agency, bank, path string) error {
	in, _, err := openInput(path)
	if err != nil {
		return err
	}
	defer in.Close()
	indicators, err := stix.ReadIndicators(in, 0)
	if err != nil {
		return fmt.Errorf("%s: %w\nnothing was stored", path, err)
	}
	return withHashStore(cmd.Context(), o, agency, func(ctx context.Context, svc *store.DB) error {
		b, err := findBank(ctx, svc, bank)
		if err != nil {
			return err
		}
		id, _ := ctis.IdentityFrom(ctx)
		entries, disabled, err := stix.NewHashEntries(indicators, b, id.Agency)
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		n, err := hashfile.Add(ctx, svc, bank, entries, nil)
		if err != nil {
			if n > 0 {
				return fmt.Errorf("%w\n%d entries were stored before this; import the file again once fixed", err, n)
			}
			return fmt.Errorf("%w\nnothing was stored", err)
		}
		fmt.Fprintf(cmd.OutOrStdout(), "%d entries stored in bank %s; %d disabled left out\n", n, bank, disabled)
		return nil
	})
}

// findBank returns the bank of that ID if the acting agency may see it.
func findBank(ctx context.Context, svc *store.DB, id string) (ctis.HashBank, error) {
	banks, err := svc.HashBanks(ctx)
	if err != nil {
		return ctis.HashBank{}, err
	}
	for _, b := range banks {
		if b.ID == id {
			return b, nil
		}
	}
	return ctis.HashBank{}, ctis.ErrNotFound("bank")
}

// fileFormat is the format given, or the one a file's name says.
func fileFormat(given, name string) (hashfile.Format, error) {
	if given != "" {
		return hashfile.ParseFormat(given)
	}
	switch strings.ToLower(filepath.Ext(name)) {
	case ".csv":
		return hashfile.CSV, nil
	case ".jsonl", ".ndjson":
		return hashfile.JSONL, nil
	}
	return "", fmt.Errorf("cannot tell the format of %s from its name: give --format csv or --format jsonl", name)
}

// withHashStore opens the database and runs fn on the store as an analyst
// of agency: creating, listing, importing and exporting need no matching
// index, and a server builds its own at start.
func withHashStore(ctx context.Context, o *options, agency string, fn func(context.Context, *store.DB) error) error {
	if agency == "" {
		return fmt.Errorf("--agency is required: which agency acts?")
	}
	db, err := o.open(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	return fn(asAgency(ctx, strings.ToUpper(agency), ""), db)
}

func newMatch(o *options) *cobra.Command {
	var agency string
	var radius int
	var variants, frontline, asJSON bool
	var hashes []string
	cmd := &cobra.Command{
		Use:   "match --agency CODE [--variants] [--radius N] (FILE… | --hash TYPE:VALUE…)",
		Short: "Match images, or hashes, against the hash banks the agency may see",
		Long: "Hash each image (PDQ, MD5 and SHA-256; with --variants also its seven rotations and reflections) and\n" +
			"match it against every bank the agency may see: PDQ within --radius bits, digests and URLs exactly.\n" +
			"--hash matches a value directly: pdq:…, md5:…, sha256:… or url:…. Each match is recorded, as through the\n" +
			"API, so that feedback can be given on it.",
		Example: "  ctis match --agency DE-BKA --variants upload.jpg\n  ctis match --agency DE-BKA --hash url:https://example.org/v/1",
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 && len(hashes) == 0 {
				return fmt.Errorf("give image files or --hash TYPE:VALUE")
			}
			type batch struct {
				name    string
				queries []ctis.HashQuery
			}
			var batches []batch
			for _, name := range args {
				h, err := hashImage(name, variants)
				if err != nil {
					return err
				}
				batches = append(batches, batch{name, hashbank.ImageQueries(h)})
			}
			for _, h := range hashes {
				t, v, ok := strings.Cut(h, ":")
				if !ok {
					return fmt.Errorf("--hash %q: write TYPE:VALUE, such as md5:d41d8cd98f00b204e9800998ecf8427e", h)
				}
				batches = append(batches, batch{h, []ctis.HashQuery{{Type: ctis.HashType(strings.ToLower(t)), Value: v}}})
			}
			role := ctis.RoleAnalyst
			if frontline {
				role = ctis.RoleFrontline
			}
			return withHashStore(cmd.Context(), o, agency, func(ctx context.Context, db *store.DB) error {
				svc, err := hashbank.New(ctx, db, nil)
				if err != nil {
					return fmt.Errorf("building the hash index: %w", err)
				}
				id, _ := ctis.IdentityFrom(ctx)
				id.Roles = []ctis.Role{role}
				ctx = ctis.NewContext(ctx, id)
				out := cmd.OutOrStdout()
				for _, b := range batches {
					res, err := svc.MatchHashes(ctx, b.queries, radius)
					if err != nil {
						return fmt.Errorf("%s: %w", b.name, err)
					}
					if asJSON {
						if err := json.NewEncoder(out).Encode(struct {
							Name string `json:"input"`
							*ctis.HashMatchResult
						}{b.name, res}); err != nil {
							return err
						}
						continue
					}
					printMatches(out, b.name, b.queries, res)
				}
				return nil
			})
		},
	}
	cmd.Flags().StringVar(&agency, "agency", "", "the agency matching (required)")
	cmd.Flags().IntVar(&radius, "radius", ctis.DefaultRadius, "PDQ match radius in bits (0–63)")
	cmd.Flags().BoolVar(&variants, "variants", false, "also match the images' rotations and reflections")
	cmd.Flags().BoolVar(&frontline, "frontline", false, "match as a frontline officer: only banks released to the frontline")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print one JSON object per input")
	cmd.Flags().StringArrayVar(&hashes, "hash", nil, "a value to match, TYPE:VALUE (repeatable)")
	return cmd
}

func printMatches(w io.Writer, name string, queries []ctis.HashQuery, res *ctis.HashMatchResult) {
	if len(res.Matches) == 0 && len(res.Notices) == 0 {
		fmt.Fprintf(w, "%s: no match\n", name)
		return
	}
	fmt.Fprintf(w, "%s: %d match(es)\n", name, len(res.Matches))
	for _, m := range res.Matches {
		q := queries[m.Query]
		how := string(q.Type)
		if q.Type == ctis.HashPDQ {
			how = fmt.Sprintf("pdq variant %d, %d bits", q.Variant, m.Distance)
		}
		bs := make([]string, len(m.Entry.Labels.Behaviours))
		for i, b := range m.Entry.Labels.Behaviours {
			bs[i] = string(b)
		}
		fmt.Fprintf(w, "  match %s  %s  bank %q (%s)  entity %q  %s  [%s]\n", m.ID, how, m.BankName, m.Entry.Contributor, m.Entry.Labels.Entity, strings.Join(bs, ","), m.Entry.ID)
	}
	for _, n := range res.Notices {
		fmt.Fprintf(w, "  a bank you may not see matched: contact %s\n", n.Agency)
	}
}
