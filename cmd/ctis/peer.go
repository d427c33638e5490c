package main

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"

	"ctis"
	"ctis/jsonl"
	"ctis/peer"
	"ctis/store"
)

func newPeer(o *options) *cobra.Command {
	cmd := &cobra.Command{Use: "peer", Short: "Manage the peer nodes this node pulls statements from"}
	var p ctis.Peer
	var agreementFile string
	add := &cobra.Command{
		Use:   "add NAME",
		Short: "Add a peer node, or replace its settings and agreement",
		Long: "Add a peer node that this node pulls statements from over TAXII 2.1 with mutual TLS, or replace its\n" +
			"settings. --fingerprint pins the peer's certificate (the SHA-256 of its leaf, as 'ctis peer fingerprint'\n" +
			"prints it); --cert and --key are this node's certificate and key for the peer, and --token-file the file\n" +
			"holding the API token the peer issued to this node: only their paths are stored. --agreement is a JSON\n" +
			"file: the agencies the peer speaks for, and which of this node's agencies and groups each recipient of\n" +
			"the peer's handling maps to (see the README).",
		Example: "  ctis peer add node-a --url https://node-a.example/taxii2/ --fingerprint 3f0c…e1 \\\n" +
			"    --cert /etc/ctis/peer.crt --key /etc/ctis/peer.key --token-file /etc/ctis/node-a.token --agreement node-a.json",
		Args: cobra.ExactArgs(1),
		RunE: o.withDB(func(cmd *cobra.Command, args []string, db *store.DB) error {
			b, err := os.ReadFile(agreementFile)
			if err != nil {
				return err
			}
			if err := jsonl.DecodeStrict(b, &p.Agreement); err != nil {
				return fmt.Errorf("%s: %w", agreementFile, err)
			}
			p.Name = args[0]
			made, err := db.PutPeer(operator(cmd.Context()), p)
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "peer %s: %d agencies spoken for, %d recipients mapped\n", made.Name, len(made.Agreement.SpeaksFor), len(made.Agreement.Recipients))
			return nil
		}),
	}
	add.Flags().StringVar(&p.URL, "url", "", "the peer's TAXII discovery URL, https://…/taxii2/ (required)")
	add.Flags().StringVar(&p.Fingerprint, "fingerprint", "", "SHA-256 of the peer's certificate, hex (required)")
	add.Flags().StringVar(&p.ClientCert, "cert", "", "this node's certificate for the peer, PEM (required)")
	add.Flags().StringVar(&p.ClientKey, "key", "", "this node's key for the peer, PEM (required)")
	add.Flags().StringVar(&p.TokenFile, "token-file", "", "the file holding the API token the peer issued to this node (required)")
	add.Flags().StringVar(&p.Collection, "collection", "", "the peer's collection to pull (default: the one it aliases \"released\")")
	add.Flags().StringVar(&agreementFile, "agreement", "", "the sharing agreement, a JSON file (required)")
	for _, f := range []string{"url", "fingerprint", "cert", "key", "token-file", "agreement"} {
		add.MarkFlagRequired(f)
	}
	list := &cobra.Command{
		Use: "list", Short: "List the peer nodes and their agreements", Args: cobra.NoArgs,
		RunE: o.withDB(func(cmd *cobra.Command, _ []string, db *store.DB) error {
			peers, err := db.Peers(operator(cmd.Context()))
			if err != nil {
				return err
			}
			tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "NAME\tURL\tFINGERPRINT\tSPEAKS FOR\tRECIPIENTS\tAUDIT HEAD WITNESSED\tALARM")
			for _, p := range peers {
				var speaks []string
				for _, a := range p.Agreement.SpeaksFor {
					speaks = append(speaks, a.Code)
				}
				var recipients []string
				for _, from := range slices.Sorted(maps.Keys(p.Agreement.Recipients)) {
					recipients = append(recipients, from+"→"+strings.Join(p.Agreement.Recipients[from], ","))
				}
				witnessed, alarm := "-", "-"
				if h := p.Witnessed; h != nil {
					witnessed = fmt.Sprintf("%d:%s at %s", h.Seq, h.Hash[:16], h.SeenAt.UTC().Format(time.RFC3339))
				}
				if p.Alarm != "" {
					alarm = "ALARM " + p.Alarm
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", p.Name, p.URL, p.Fingerprint, strings.Join(speaks, ","), strings.Join(recipients, " "), witnessed, alarm)
			}
			return tw.Flush()
		}),
	}
	remove := &cobra.Command{
		Use: "remove NAME", Short: "Remove a peer node; what was pulled from it stays", Args: cobra.ExactArgs(1),
		RunE: o.withDB(func(cmd *cobra.Command, args []string, db *store.DB) error {
			if err := db.RemovePeer(operator(cmd.Context()), args[0]); err != nil {
				return err
			}
			fmt.Fprintln(cmd.OutOrStdout(), "removed peer", args[0])
			return nil
		}),
	}
	var reconcile bool
	pull := &cobra.Command{
		Use: "pull NAME", Short: "Pull from a peer node now, once", Args: cobra.ExactArgs(1),
		Long: "Pull from a peer node now, once: what changed there since the last pull.\n" +
			"With --reconcile, read the peer's collection whole and withdraw here what the peer no longer\n" +
			"releases to this node (a sharing group of the peer that let this node's account go), which a\n" +
			"pull cannot tell; 'serve --peer-reconcile' does it on a schedule.",
		RunE: o.withDB(func(cmd *cobra.Command, args []string, db *store.DB) error {
			ctx := operator(cmd.Context())
			peers, err := db.Peers(ctx)
			if err != nil {
				return err
			}
			for _, p := range peers {
				if p.Name != args[0] {
					continue
				}
				c, err := peer.NewClient(p)
				if err != nil {
					return err
				}
				run := peer.Pull
				if reconcile {
					run = peer.Reconcile
				}
				shown := &pagesShown{PeerService: db, w: cmd.ErrOrStderr(), bar: newCountBar(cmd.ErrOrStderr(), "statements read from "+p.Name)}
				rep, err := run(ctx, shown, p, c, 0, nil)
				if shown.bar != nil {
					shown.bar.Finish()
				}
				out := cmd.OutOrStdout()
				if rep.Witness != nil {
					fmt.Fprintf(out, "witnessing %s's audit head: %v\n", p.Name, rep.Witness)
				} else {
					fmt.Fprintf(out, "witnessed %s's audit head %d:%s\n", p.Name, rep.Head.Seq, rep.Head.Hash)
				}
				fmt.Fprintf(out, "pulled %d pages from %s: %d statements added, %d withdrawn, %d remapped under the agreement, %d held already\n",
					rep.Pages, p.Name, rep.Added, rep.Withdrawn, rep.Remapped, rep.Unchanged)
				return err
			}
			return ctis.ErrNotFound("peer")
		}),
	}
	pull.Flags().BoolVar(&reconcile, "reconcile", false, "read the peer's collection whole, and withdraw what it no longer releases to this node")
	fingerprint := &cobra.Command{
		Use: "fingerprint CERT.pem", Short: "Print the SHA-256 fingerprint of a certificate, as a peer pins it", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			b, err := os.ReadFile(args[0])
			if err != nil {
				return err
			}
			block, _ := pem.Decode(b)
			if block == nil || block.Type != "CERTIFICATE" {
				return errors.New(args[0] + ": no PEM certificate")
			}
			if _, err := x509.ParseCertificate(block.Bytes); err != nil {
				return fmt.Errorf("%s: %w", args[0], err)
			}
			fmt.Fprintln(cmd.OutOrStdout(), peer.Fingerprint(block.Bytes))
			return nil
		},
	}
	cmd.AddCommand(add, list, remove, pull, fingerprint)
	return cmd
}

// pagesShown is the store as a pull from the command line sees it: each
// page stored moves the progress bar on w, or writes a line to w when it
// is no terminal.
type pagesShown struct {
	ctis.PeerService
	w     io.Writer
	bar   *progressbar.ProgressBar
	pages int
}

func (s *pagesShown) ApplyPeerPage(ctx context.Context, page ctis.PeerPage) (*ctis.PeerReport, error) {
	rep, err := s.PeerService.ApplyPeerPage(ctx, page)
	if err != nil {
		return rep, err
	}
	n := 0
	for _, e := range page.Entities {
		n += len(e.Statements)
	}
	s.pages++
	if s.bar != nil {
		s.bar.Add(n)
	} else {
		fmt.Fprintf(s.w, "page %d stored: %d statements, %d added, %d withdrawn\n", s.pages, n, rep.Added, rep.Withdrawn)
	}
	return rep, nil
}
