// Command ctis runs and administers a node of the counter-terrorism
// information space. It only parses flags and wires packages together.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"os/user"
	"runtime/debug"
	"syscall"

	"github.com/spf13/cobra"

	"ctis"
	"ctis/store"
)

func main() {
	if os.Getenv("GOGC") == "" {
		// The screening index is a large, long-lived heap: collecting at
		// every doubling would spend the cores on marking it again and
		// again, and screenings would wait for it.
		debug.SetGCPercent(400)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := newRoot().ExecuteContext(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "ctis:", err)
		os.Exit(1)
	}
}

// options are the flags every command shares.
type options struct {
	db           string
	reviewPolicy string
	retention    ctis.RetentionPolicy
}

func newRoot() *cobra.Command {
	o := &options{}
	root := &cobra.Command{
		Use:           "ctis",
		Short:         "ctis — the counter-terrorism information space",
		Long:          "ctis keeps what member agencies share about terrorist persons, organisations, documents, travel and modus operandi,\nunder handling rules, with a hash-chained audit trail.",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	def := os.Getenv("CTIS_DB")
	if def == "" {
		def = "ctis.db"
	}
	root.PersistentFlags().StringVar(&o.db, "db", def, "the store: a SQLite file, or a postgres:// URL of a PostgreSQL database (env CTIS_DB)")
	root.PersistentFlags().StringVar(&o.reviewPolicy, "review-policy", "flag", "what happens to statements past their review date: flag, hide or purge")
	root.PersistentFlags().IntVar(&o.retention.MaskMonths, "travel-mask-months", ctis.EUPNRPolicy.MaskMonths, "months after receipt when travel data (API, PNR) is depersonalised")
	root.PersistentFlags().IntVar(&o.retention.DeleteMonths, "travel-delete-months", ctis.EUPNRPolicy.DeleteMonths, "months after receipt when travel data is deleted")
	root.AddCommand(newServe(o), newAgency(o), newUser(o), newToken(o), newGroup(o), newImport(o), newExport(o), newAudit(o), newReview(o), newTravel(o), newScreen(o), newCheckDocument(o), newHash(), newHashBank(o), newMatch(o), newParse(), newBench(o), newMigrate(o), newPeer(o), newAuthority(o), newRequest(o))
	return root
}

// open opens the database named by the flags.
func (o *options) open(ctx context.Context) (*store.DB, error) {
	return store.Open(ctx, o.db, store.Options{ReviewPolicy: ctis.ReviewPolicy(o.reviewPolicy), Retention: o.retention})
}

// withDB returns a command body that runs fn with the database open.
func (o *options) withDB(fn func(cmd *cobra.Command, args []string, db *store.DB) error) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, args []string) error {
		db, err := o.open(cmd.Context())
		if err != nil {
			return err
		}
		defer db.Close()
		return fn(cmd, args, db)
	}
}

// operator returns ctx acting as the local operator: whoever can open the
// database file administers the node, and is audited by OS user name.
func operator(ctx context.Context) context.Context {
	name := "unknown"
	if u, err := user.Current(); err == nil {
		name = u.Username
	}
	return ctis.NewContext(ctx, ctis.SystemIdentity(name))
}

// asAgency returns ctx acting for agency as an analyst through the CLI,
// with purpose.
func asAgency(ctx context.Context, agency, purpose string) context.Context {
	name := "unknown"
	if u, err := user.Current(); err == nil {
		name = u.Username
	}
	id := ctis.Identity{Username: "cli:" + name, Agency: agency, Roles: []ctis.Role{ctis.RoleAnalyst}}
	return ctis.WithPurpose(ctis.NewContext(ctx, id), purpose)
}
