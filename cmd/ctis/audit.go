package main

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"ctis"
	"ctis/store"
)

func newAudit(o *options) *cobra.Command {
	cmd := &cobra.Command{Use: "audit", Short: "Verify and anchor the audit trail"}
	var head string
	verify := &cobra.Command{
		Use:   "verify",
		Short: "Check the audit trail's hash chain and name the first broken event",
		Long: "Recompute every event's hash and link. Exits 1 and names the first event that was altered, removed\n" +
			"or moved. With --head, also prove that the trail still extends a head published earlier (see 'ctis audit head').",
		Args: cobra.NoArgs,
		RunE: o.withDB(func(cmd *cobra.Command, _ []string, db *store.DB) error {
			stderr := cmd.ErrOrStderr()
			bar := newBar(stderr, -1, "verifying")
			rep, err := db.Verify(operator(cmd.Context()), func(n int64) {
				if bar != nil {
					bar.Set64(n)
				}
			})
			if bar != nil {
				bar.Finish()
			}
			if err != nil {
				return err
			}
			if !rep.OK {
				return fmt.Errorf("audit trail broken at event %d: %s\n(%d events before it verify; keep a copy of this database for investigation)",
					rep.Broken.Seq, rep.Broken.Reason, rep.Events)
			}
			if head != "" {
				if err := checkAnchor(cmd, db, head); err != nil {
					return err
				}
			}
			fmt.Fprintf(cmd.OutOrStdout(), "audit trail verified: %d events, head %d %s\n", rep.Events, rep.Head.Seq, rep.Head.Hash)
			return nil
		}),
	}
	verify.Flags().StringVar(&head, "head", "", "a head published earlier, as SEQ:HASH, that the trail must still contain")
	headCmd := &cobra.Command{
		Use: "head", Short: "Print the newest event's number and hash, to publish as an anchor", Args: cobra.NoArgs,
		RunE: o.withDB(func(cmd *cobra.Command, _ []string, db *store.DB) error {
			rep, err := db.Verify(operator(cmd.Context()), nil)
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%d:%s\n", rep.Head.Seq, rep.Head.Hash)
			return nil
		}),
	}
	cmd.AddCommand(verify, headCmd)
	return cmd
}

// checkAnchor proves that the event at an earlier published head still
// carries the published hash.
func checkAnchor(cmd *cobra.Command, db ctis.AuditLog, head string) error {
	seqText, hash, ok := strings.Cut(head, ":")
	seq, err := strconv.ParseInt(seqText, 10, 64)
	if !ok || err != nil || seq < 1 || len(hash) != 64 {
		return fmt.Errorf("--head must be SEQ:HASH as printed by 'ctis audit head'")
	}
	page, err := db.Events(operator(cmd.Context()), ctis.AuditFilter{Seq: seq, Limit: 1})
	if err != nil {
		return err
	}
	if len(page.Events) == 0 || page.Events[0].Hash != hash {
		return fmt.Errorf("audit trail does not contain the published head %d:%s: events up to it were rewritten", seq, hash)
	}
	return nil
}
