package main

import (
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"ctis"
	"ctis/store"
)

func newAgency(o *options) *cobra.Command {
	cmd := &cobra.Command{Use: "agency", Short: "Manage member agencies"}
	var a ctis.Agency
	var kind string
	add := &cobra.Command{
		Use:   "add",
		Short: "Add a member agency",
		Example: "  ctis agency add --code FR-DGSI --name 'Direction générale de la sécurité intérieure' --country FR --kind security\n" +
			"  ctis agency add --code SCO-RATS --name 'SCO Regional Anti-Terrorist Structure' --country SCO-RATS --kind international_organisation",
		Args: cobra.NoArgs,
		RunE: o.withDB(func(cmd *cobra.Command, _ []string, db *store.DB) error {
			a.Kind = ctis.AgencyKind(kind)
			made, err := db.CreateAgency(operator(cmd.Context()), a)
			if err != nil {
				return err
			}
			fmt.Fprintln(cmd.OutOrStdout(), made.Code)
			return nil
		}),
	}
	add.Flags().StringVar(&a.Code, "code", "", "agency code, such as FR-DGSI (required)")
	add.Flags().StringVar(&a.Name, "name", "", "full name (required)")
	add.Flags().StringVar(&a.Country, "country", "", "ISO 3166 alpha-2 country, or an organisation code such as UN, EU, INTERPOL, SCO-RATS, CIS-ATC (required)")
	add.Flags().StringVar(&kind, "kind", "other", "kind: "+joinKinds())
	for _, f := range []string{"code", "name", "country"} {
		add.MarkFlagRequired(f)
	}
	list := &cobra.Command{
		Use: "list", Short: "List member agencies", Args: cobra.NoArgs,
		RunE: o.withDB(func(cmd *cobra.Command, _ []string, db *store.DB) error {
			as, err := db.Agencies(operator(cmd.Context()))
			if err != nil {
				return err
			}
			tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "CODE\tCOUNTRY\tKIND\tNODE\tNAME")
			for _, a := range as {
				node := a.Node
				if node == "" {
					node = "-"
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", a.Code, a.Country, a.Kind, node, a.Name)
			}
			return tw.Flush()
		}),
	}
	cmd.AddCommand(add, list)
	return cmd
}

func joinKinds() string {
	s := make([]string, len(ctis.AgencyKinds))
	for i, k := range ctis.AgencyKinds {
		s[i] = string(k)
	}
	return strings.Join(s, ", ")
}

func newUser(o *options) *cobra.Command {
	cmd := &cobra.Command{Use: "user", Short: "Manage users"}
	var u ctis.NewUser
	var roles string
	var passwordStdin bool
	add := &cobra.Command{
		Use:   "add",
		Short: "Add a user; prints the user's first API token on stdout",
		Long: "Add a user of an agency. The new user's API token is printed on stdout, alone, so that scripts can\n" +
			"capture it; it is shown only this once and stored hashed. Give a password on stdin with --password-stdin\n" +
			"for users who sign in to the web interface.",
		Example: "  TOKEN=$(ctis user add --username analyst.fr --agency FR-DGSI --roles analyst)\n" +
			"  printf '%s' \"$PASSWORD\" | ctis user add --username border.de --agency DE-BKA --roles frontline --password-stdin",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var err error
			if u.Roles, err = ctis.ParseRoles(roles); err != nil {
				return err
			}
			if passwordStdin {
				b := make([]byte, 257)
				n, _ := cmd.InOrStdin().Read(b)
				u.Password = strings.TrimRight(string(b[:n]), "\r\n")
			}
			db, err := o.open(cmd.Context())
			if err != nil {
				return err
			}
			defer db.Close()
			made, token, err := db.CreateUser(operator(cmd.Context()), u)
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.ErrOrStderr(), "user %s (%s) created in %s; its API token follows on stdout and is not shown again\n", made.Username, made.ID, made.Agency)
			fmt.Fprintln(cmd.OutOrStdout(), token)
			return nil
		},
	}
	add.Flags().StringVar(&u.Username, "username", "", "login name (required)")
	add.Flags().StringVar(&u.Agency, "agency", "", "the user's agency code (required)")
	add.Flags().StringVar(&roles, "roles", "", "comma-separated roles: admin, analyst, frontline, auditor, approver, dpo (required)")
	add.Flags().BoolVar(&passwordStdin, "password-stdin", false, "read a password for the web interface from stdin")
	add.Flags().StringVar(&u.Email, "email", "", "e-mail address the user is mailed a link to what needs their attention (optional)")
	for _, f := range []string{"username", "agency", "roles"} {
		add.MarkFlagRequired(f)
	}
	list := &cobra.Command{
		Use: "list", Short: "List users", Args: cobra.NoArgs,
		RunE: o.withDB(func(cmd *cobra.Command, _ []string, db *store.DB) error {
			us, err := db.Users(operator(cmd.Context()))
			if err != nil {
				return err
			}
			tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tUSERNAME\tAGENCY\tROLES")
			for _, u := range us {
				roles := make([]string, len(u.Roles))
				for i, r := range u.Roles {
					roles[i] = string(r)
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", u.ID, u.Username, u.Agency, strings.Join(roles, ","))
			}
			return tw.Flush()
		}),
	}
	cmd.AddCommand(add, list)
	return cmd
}

func newToken(o *options) *cobra.Command {
	cmd := &cobra.Command{Use: "token", Short: "Manage API tokens"}
	var name string
	create := &cobra.Command{
		Use: "create USER-ID", Short: "Issue a new API token for a user; prints it on stdout", Args: cobra.ExactArgs(1),
		RunE: o.withDB(func(cmd *cobra.Command, args []string, db *store.DB) error {
			t, token, err := db.CreateToken(operator(cmd.Context()), args[0], name)
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.ErrOrStderr(), "token %s created; revoke it with 'ctis token revoke %s'\n", t.ID, t.ID)
			fmt.Fprintln(cmd.OutOrStdout(), token)
			return nil
		}),
	}
	create.Flags().StringVar(&name, "name", "cli", "what the token is for")
	revoke := &cobra.Command{
		Use: "revoke TOKEN-ID", Short: "Revoke an API token", Args: cobra.ExactArgs(1),
		RunE: o.withDB(func(cmd *cobra.Command, args []string, db *store.DB) error {
			if err := db.RevokeToken(operator(cmd.Context()), args[0]); err != nil {
				return err
			}
			fmt.Fprintf(cmd.ErrOrStderr(), "token %s revoked\n", args[0])
			return nil
		}),
	}
	cmd.AddCommand(create, revoke)
	return cmd
}

func newGroup(o *options) *cobra.Command {
	cmd := &cobra.Command{Use: "group", Short: "Manage sharing groups"}
	var agencies []string
	put := &cobra.Command{
		Use: "put NAME", Short: "Create or replace a sharing group", Args: cobra.ExactArgs(1),
		Example: "  ctis group put euro-ct --agencies FR-DGSI,DE-BKA,EUROPOL",
		RunE: o.withDB(func(cmd *cobra.Command, args []string, db *store.DB) error {
			g, err := db.PutGroup(operator(cmd.Context()), ctis.SharingGroup{Name: args[0], Agencies: agencies})
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s: %s\n", g.Name, strings.Join(g.Agencies, ", "))
			return nil
		}),
	}
	put.Flags().StringSliceVar(&agencies, "agencies", nil, "member agency codes")
	cmd.AddCommand(put)
	return cmd
}
