package main

import (
	"fmt"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"ctis/store"
)

func newMigrate(o *options) *cobra.Command {
	var to string
	cmd := &cobra.Command{
		Use:   "migrate --to postgres://…",
		Short: "Copy a node's SQLite database into a new PostgreSQL database, and check the copy",
		Long: "Copy every row of the SQLite database named by --db (entities and statements, the audit trail, hash banks,\n" +
			"travel data, hits and everything else) into the empty database --to, keeping every key and sequence number;\n" +
			"then check that every table holds as many rows in both and that the copy's audit chain verifies to the same\n" +
			"head. Stop the node first: writes made during the copy are not in it.",
		Example: "  ctis --db ctis.db migrate --to postgres://ctis@db.example.org/ctis",
		Args:    cobra.NoArgs,
		RunE: o.withDB(func(cmd *cobra.Command, _ []string, src *store.DB) error {
			if to == "" {
				return fmt.Errorf("give the database to copy into with --to postgres://…")
			}
			dst, err := store.Open(cmd.Context(), to, store.Options{})
			if err != nil {
				return err
			}
			defer dst.Close()
			stderr := cmd.ErrOrStderr()
			last := ""
			rep, err := store.Copy(cmd.Context(), src, dst, func(table string, rows int64) {
				if table != last {
					fmt.Fprintf(stderr, "copying %s\n", table)
					last = table
				}
			})
			if err != nil {
				return fmt.Errorf("%w\n(the copy is incomplete: drop the database %s and copy again)", err, store.Describe(to))
			}
			w := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', tabwriter.AlignRight)
			fmt.Fprintln(w, "table\tsource\tcopy\t")
			for _, t := range rep.Tables {
				fmt.Fprintf(w, "%s\t%d\t%d\t\n", t.Table, t.Source, t.Copied)
			}
			w.Flush()
			fmt.Fprintf(cmd.OutOrStdout(), "copied into %s; audit trail verified: %d events, head %d %s\n",
				store.Describe(to), rep.Audit.Events, rep.Audit.Head.Seq, rep.Audit.Head.Hash)
			return nil
		}),
	}
	cmd.Flags().StringVar(&to, "to", "", "the empty PostgreSQL database to copy into")
	return cmd
}
