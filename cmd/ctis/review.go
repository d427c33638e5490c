package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"ctis/sqlite"
)

func newReview(o *options) *cobra.Command {
	cmd := &cobra.Command{Use: "review", Short: "Apply the review policy to statements past their review date"}
	purge := &cobra.Command{
		Use:   "purge",
		Short: "Delete statements past their review date (needs --review-policy purge)",
		Args:  cobra.NoArgs,
		RunE: o.withDB(func(cmd *cobra.Command, _ []string, db *sqlite.DB) error {
			n, err := db.PurgeExpired(operator(cmd.Context()))
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "purged %d statements past their review date\n", n)
			return nil
		}),
	}
	cmd.AddCommand(purge)
	return cmd
}
