package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"ctis/store"
)

func newReview(o *options) *cobra.Command {
	cmd := &cobra.Command{Use: "review", Short: "Apply the review policy to statements past their review date"}
	purge := &cobra.Command{
		Use:   "purge",
		Short: "Delete statements past their review date (needs --review-policy purge)",
		Args:  cobra.NoArgs,
		RunE: o.withDB(func(cmd *cobra.Command, _ []string, db *store.DB) error {
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

func newTravel(o *options) *cobra.Command {
	cmd := &cobra.Command{Use: "travel", Short: "Keep received travel data (API, PNR) under its retention policy"}
	retention := &cobra.Command{
		Use:   "retention",
		Short: "Depersonalise and delete travel data as the policy says is due (serve does this every hour)",
		Long: "Travel data is depersonalised --travel-mask-months after receipt (names, contacts, payment, frequent-flyer\n" +
			"data, free text and all API data masked and no longer searchable) and deleted --travel-delete-months\n" +
			"after receipt; the defaults are the EU PNR Directive's 6 and 60.",
		Args: cobra.NoArgs,
		RunE: o.withDB(func(cmd *cobra.Command, _ []string, db *store.DB) error {
			rep, err := db.ApplyRetention(operator(cmd.Context()))
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "masked %d travel records, deleted %d; of their referrals masked %d, deleted %d; of their hits masked %d, deleted %d\n",
				rep.Masked, rep.Deleted, rep.ReferralsMasked, rep.ReferralsDeleted, rep.HitsMasked, rep.HitsDeleted)
			return nil
		}),
	}
	cmd.AddCommand(retention)
	return cmd
}
