package mail_test

import (
	"context"
	"io"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	smtp "github.com/emersion/go-smtp"

	"ctis"
	"ctis/ctistest"
	"ctis/mail"
	"ctis/store"
	"ctis/web"
)

// sink is an SMTP server that keeps what it is sent.
type sink struct {
	mu     sync.Mutex
	mails  []received
	refuse atomic.Bool // answer every recipient 550
}

type received struct {
	from string
	to   []string
	data string
}

func (s *sink) NewSession(*smtp.Conn) (smtp.Session, error) { return &session{sink: s}, nil }

type session struct {
	sink *sink
	cur  received
}

func (s *session) Reset()        { s.cur = received{} }
func (s *session) Logout() error { return nil }
func (s *session) Mail(from string, _ *smtp.MailOptions) error {
	s.cur.from = from
	return nil
}

func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	if s.sink.refuse.Load() {
		return &smtp.SMTPError{Code: 550, Message: "no such user " + to}
	}
	s.cur.to = append(s.cur.to, to)
	return nil
}

func (s *session) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.cur.data = string(b)
	s.sink.mu.Lock()
	s.sink.mails = append(s.sink.mails, s.cur)
	s.sink.mu.Unlock()
	return nil
}

func startSink(t *testing.T) (*sink, string) {
	t.Helper()
	s := &sink{}
	srv := smtp.NewServer(s)
	srv.Domain = "relay.test"
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return s, ln.Addr().String()
}

// TestMailThroughRelay sends a node's notification mail to a local SMTP
// sink: one mail to each user with an address who attends to the
// notification, carrying the link and no content of the request — no
// offence, no description, no name; a relay that refuses keeps the mail
// queued, and the error names no address.
func TestMailThroughRelay(t *testing.T) {
	s, addr := startSink(t)
	var ahead atomic.Int64
	n := ctistest.SeededStore(t, ctistest.Engines()[0], store.Options{Now: func() time.Time { return time.Now().Add(time.Duration(ahead.Load())) }})
	db := n.DB
	if _, _, err := db.CreateUser(ctistest.System, ctis.NewUser{Username: "de.mla", Agency: ctistest.DE, Roles: []ctis.Role{ctis.RoleAnalyst}, Email: "mla@bka.example"}); err != nil {
		t.Fatal(err)
	}
	// A colleague who chose Arabic is mailed in Arabic.
	u, _, err := db.CreateUser(ctistest.System, ctis.NewUser{Username: "de.ar", Agency: ctistest.DE, Roles: []ctis.Role{ctis.RoleAnalyst}, Email: "ar@bka.example"})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.SetLanguage(ctis.NewContext(context.Background(), ctis.Identity{UserID: u.ID, Username: u.Username, Agency: u.Agency, Roles: u.Roles}), "ar"); err != nil {
		t.Fatal(err)
	}
	de, fr := ctistest.As(ctistest.DE, ctis.RoleAnalyst), ctistest.As(ctistest.FR, ctis.RoleAnalyst)
	auth, err := db.CreateAuthority(de, ctistest.NewAuthority("DE", ctis.InstrumentMLA, time.Now().Format(time.DateOnly)))
	if err != nil {
		t.Fatal(err)
	}
	e, err := db.CreateEntity(fr, ctistest.Person("Karim Belkacem Haddad", ctis.Handling{Distribution: ctis.DistAll}))
	if err != nil {
		t.Fatal(err)
	}
	r, err := db.CreateRequest(fr, ctis.NewRequest{Kind: ctis.KindPreservation, Authority: auth.ID, LegalBasis: "Budapest Convention art. 29",
		Offence: "attack planning", Description: "preserve the account of Karim Haddad", Entities: []string{e.ID}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.TakeStep(fr, r.ID, ctis.Step{Action: ctis.ActionSend}); err != nil {
		t.Fatal(err)
	}

	relay := mail.Relay{Addr: addr, From: "ctis@node.example", BaseURL: "https://ctis.node.example/", Timeout: 5 * time.Second, Compose: web.MailText}
	if err := relay.Check(); err != nil {
		t.Fatal(err)
	}
	s.refuse.Store(true)
	err = mail.Flush(ctistest.System, db, relay)
	if err == nil || strings.Contains(err.Error(), "mla@") || !strings.Contains(err.Error(), "550") {
		t.Errorf("a refused recipient: %v", err)
	}
	if len(s.mails) != 0 {
		t.Fatalf("mail through a refusing relay: %+v", s.mails)
	}
	// The failed mail waits before it is tried again.
	if err := mail.Flush(ctistest.System, db, relay); err != nil || len(s.mails) != 0 {
		t.Errorf("retried at once: %v, %d", err, len(s.mails))
	}

	s.refuse.Store(false)
	ahead.Store(int64(10 * time.Minute))
	for range 2 {
		if err := mail.Flush(ctistest.System, db, relay); err != nil {
			t.Fatal(err)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.mails) != 2 {
		t.Fatalf("%d mails, want 2: %+v", len(s.mails), s.mails)
	}
	byTo := map[string]string{}
	for _, m := range s.mails {
		if m.from != "ctis@node.example" || len(m.to) != 1 {
			t.Errorf("envelope %s → %v", m.from, m.to)
			continue
		}
		byTo[m.to[0]] = m.data
		if !strings.Contains(m.data, "https://ctis.node.example/requests/"+r.ID+"\r\n") {
			t.Errorf("the mail does not link the request:\n%s", m.data)
		}
		for _, secret := range []string{"Karim", "Haddad", "attack", "preserve", "Budapest", e.ID, "FR-DGSI"} {
			if strings.Contains(m.data, secret) {
				t.Errorf("the mail says %q:\n%s", secret, m.data)
			}
		}
	}
	if en := byTo["mla@bka.example"]; !strings.Contains(en, "Subject: ctis: Cooperation request\r\n") || !strings.Contains(en, "Log in to see it") {
		t.Errorf("the English mail:\n%s", en)
	}
	ar := byTo["ar@bka.example"]
	if !strings.Contains(ar, "Content-Language: ar\r\n") || !strings.Contains(ar, "Subject: =?utf-8?q?") || !strings.Contains(ar, "سجّل الدخول") {
		t.Errorf("the Arabic mail:\n%s", ar)
	}
}

// TestRelayCheck names the flag at fault.
func TestRelayCheck(t *testing.T) {
	good := mail.Relay{Addr: "mail.example:587", From: "ctis@node.example", BaseURL: "https://ctis.example", Compose: web.MailText}
	for flag, r := range map[string]mail.Relay{
		"--smtp-relay": {Addr: "mail.example", From: good.From, BaseURL: good.BaseURL, Compose: web.MailText},
		"--mail-from":  {Addr: good.Addr, From: "ctis", BaseURL: good.BaseURL, Compose: web.MailText},
		"--public-url": {Addr: good.Addr, From: good.From, BaseURL: "ctis.example", Compose: web.MailText},
	} {
		if err := r.Check(); err == nil || !strings.HasPrefix(err.Error(), flag) {
			t.Errorf("%s: %v", flag, err)
		}
	}
	if err := good.Check(); err != nil {
		t.Error(err)
	}
}
