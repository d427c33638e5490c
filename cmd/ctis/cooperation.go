package main

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"ctis"
	"ctis/authcsv"
	"ctis/store"
)

func newAuthority(o *options) *cobra.Command {
	cmd := &cobra.Command{Use: "authority", Short: "Keep the directory of competent authorities and 24/7 points of contact"}
	var agency string
	imp := &cobra.Command{
		Use:   "import FILE.csv",
		Short: "Add an agency's directory entries from CSV, all or none",
		Long: "Add directory entries kept by --agency from a CSV file whose first line names the columns, in any order:\n" +
			"  " + strings.Join(authcsv.Columns, ",") + "\n" +
			"languages (ISO 639-1) and channels hold several values separated by ';'; verified_on is YYYY-MM-DD.\n" +
			"Every entry is checked before any is stored: a fault is named by its line, and nothing is added.",
		Example: "  ctis authority import --agency DE-BKA directory.csv",
		Args:    cobra.ExactArgs(1),
		RunE: o.withDB(func(cmd *cobra.Command, args []string, db *store.DB) error {
			f, err := os.Open(args[0])
			if err != nil {
				return err
			}
			defer f.Close()
			entries, lines, err := authcsv.Read(f)
			if err != nil {
				return fmt.Errorf("%s: %w", args[0], err)
			}
			agency = strings.ToUpper(agency)
			made, err := db.ImportAuthorities(asAgency(cmd.Context(), agency, ""), entries)
			if err != nil {
				return fmt.Errorf("%s: %w (nothing was added)", args[0], atLine(err, lines))
			}
			fmt.Fprintf(cmd.OutOrStdout(), "added %d directory entries for %s\n", len(made), agency)
			return nil
		}),
	}
	imp.Flags().StringVar(&agency, "agency", "", "the member agency that keeps the entries (required)")
	imp.MarkFlagRequired("agency")
	var q ctis.AuthorityQuery
	var instrument string
	list := &cobra.Command{
		Use: "list", Short: "List directory entries", Args: cobra.NoArgs,
		Example: "  ctis authority list --country DE --instrument mla\n  ctis authority list --agency DE-BKA --stale",
		RunE: o.withDB(func(cmd *cobra.Command, _ []string, db *store.DB) error {
			q.Instrument, q.Agency = ctis.Instrument(instrument), strings.ToUpper(q.Agency)
			as, err := db.Authorities(operator(cmd.Context()), q)
			if err != nil {
				return err
			}
			tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tCOUNTRY\tINSTRUMENT\tAGENCY\tVERIFIED\tNAME")
			for _, a := range as {
				verified := a.VerifiedOn
				if a.Stale {
					verified += " (stale)"
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", a.ID, a.Country, a.Instrument, a.Agency, verified, a.Name)
			}
			return tw.Flush()
		}),
	}
	list.Flags().StringVar(&q.Country, "country", "", "only this country or organisation")
	list.Flags().StringVar(&instrument, "instrument", "", "only this instrument: "+strings.Join(instrumentNames(), ", "))
	list.Flags().StringVar(&q.Agency, "agency", "", "only the entries this agency keeps")
	list.Flags().BoolVar(&q.Stale, "stale", false, "only the entries not verified for a year")
	cmd.AddCommand(imp, list)
	return cmd
}

// atLine names the CSV line of an entry an import refused ("[3].country"
// becomes "line 5: country").
func atLine(err error, lines []int) error {
	f := ctis.ErrorField(err)
	if !strings.HasPrefix(f, "[") {
		return err
	}
	end := strings.IndexByte(f, ']')
	i, convErr := strconv.Atoi(f[1:max(end, 1)])
	if end < 0 || convErr != nil || i < 0 || i >= len(lines) {
		return err
	}
	return fmt.Errorf("line %d: %s: %s", lines[i], strings.TrimPrefix(f[end+1:], "."), ctis.ErrorMessage(err))
}

func instrumentNames() []string {
	out := make([]string, len(ctis.Instruments))
	for i, in := range ctis.Instruments {
		out[i] = string(in)
	}
	return out
}

func newRequest(o *options) *cobra.Command {
	cmd := &cobra.Command{Use: "request", Short: "Follow the cooperation requests of an agency"}
	var agency, kind, state, role string
	var overdue bool
	var limit int
	list := &cobra.Command{
		Use:   "list",
		Short: "List an agency's cooperation requests (sent, received or shown to it)",
		Long: "List the cooperation requests --agency may read, the latest first. With --overdue, only the open ones\n" +
			"(sent, acknowledged, in progress) whose deadline passed: the list to chase each morning. The read is audited.",
		Example: "  ctis request list --agency DE-BKA --overdue\n  ctis request list --agency FR-DGSI --role sender --kind preservation",
		Args:    cobra.NoArgs,
		RunE: o.withDB(func(cmd *cobra.Command, _ []string, db *store.DB) error {
			rs, err := db.Requests(asAgency(cmd.Context(), strings.ToUpper(agency), "request list"), ctis.RequestQuery{Kind: ctis.RequestKind(kind), State: ctis.RequestState(state),
				Role: ctis.Party(role), Overdue: overdue, Limit: limit})
			if err != nil {
				return err
			}
			tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tKIND\tSTATE\tSENDER\tRECEIVER\tDEADLINE\tOFFENCE")
			for _, r := range rs {
				deadline := "-"
				if r.Deadline != nil {
					deadline = r.Deadline.UTC().Format(time.DateTime)
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.ID, r.Kind, r.State, r.Sender, r.Receiver, deadline, r.Offence)
			}
			return tw.Flush()
		}),
	}
	list.Flags().StringVar(&agency, "agency", "", "the member agency whose requests to list (required)")
	list.MarkFlagRequired("agency")
	list.Flags().BoolVar(&overdue, "overdue", false, "only the open requests whose deadline passed")
	list.Flags().StringVar(&kind, "kind", "", "only this kind of request")
	list.Flags().StringVar(&state, "state", "", "only requests in this state")
	list.Flags().StringVar(&role, "role", "", "only those the agency sent (sender) or received (receiver)")
	list.Flags().IntVar(&limit, "limit", 0, "at most this many (default 100)")
	cmd.AddCommand(list)
	return cmd
}
