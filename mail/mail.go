// Package mail sends the node's notification mail through an SMTP relay.
// A mail says what kind of thing needs the reader's attention and links
// to it; it carries no name, no content and no personal data beyond the
// recipient's own address. The outbox is the store's (ctis.Mailbox): a
// mail is sent at least once, and a relay that is down delays it.
package mail

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"mime"
	"net"
	"net/smtp"
	"net/textproto"
	"net/url"
	"strings"
	"time"

	"ctis"
)

// Relay is where and as whom mail is sent.
type Relay struct {
	// Addr is the relay's host:port.
	Addr string
	// From is the sender's address.
	From string
	// BaseURL is the node's address as its users reach it; links are
	// made from it.
	BaseURL string
	// Username and Password, when set, log in to the relay (PLAIN, over
	// TLS or to a relay on the loopback only).
	Username, Password string
	// Timeout bounds one mail's exchange with the relay; 30 s when 0.
	Timeout time.Duration
	// Compose writes a mail's subject and body in the recipient's
	// language from its kind and its link (web.MailText).
	Compose func(lang string, kind ctis.NoticeKind, link string) (subject, body string)
}

// Check reports what is wrong with the relay's settings, naming the flag.
func (r Relay) Check() error {
	if _, _, err := net.SplitHostPort(r.Addr); err != nil {
		return fmt.Errorf("--smtp-relay %q: give host:port, such as mail.agency.example:587", r.Addr)
	}
	if r.Compose == nil {
		return errors.New("the relay has no composer of messages")
	}
	if !ctis.ValidEmail(r.From) {
		return fmt.Errorf("--mail-from %q: give the sender's address, such as ctis@agency.example", r.From)
	}
	u, err := url.Parse(r.BaseURL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return fmt.Errorf("--public-url %q: give the node's address as its users reach it, such as https://ctis.agency.example", r.BaseURL)
	}
	return nil
}

// Message is the mail m, as sent: headers and a plain-text body.
func (r Relay) Message(m ctis.Mail, now time.Time) []byte {
	subject, body := r.Compose(m.Lang, m.Kind, strings.TrimSuffix(r.BaseURL, "/")+m.Link)
	var id [12]byte
	rand.Read(id[:])
	host := "ctis"
	if _, d, ok := strings.Cut(r.From, "@"); ok {
		host = d
	}
	var b strings.Builder
	fmt.Fprintf(&b, "From: %s\r\nTo: %s\r\nSubject: %s\r\nDate: %s\r\nMessage-ID: <%s@%s>\r\n", r.From, m.To, mime.QEncoding.Encode("utf-8", subject),
		now.Format(time.RFC1123Z), hex.EncodeToString(id[:]), host)
	if m.Lang != "" {
		fmt.Fprintf(&b, "Content-Language: %s\r\n", m.Lang)
	}
	b.WriteString("MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\nAuto-Submitted: auto-generated\r\n\r\n")
	b.WriteString(strings.ReplaceAll(strings.ReplaceAll(body, "\r\n", "\n"), "\n", "\r\n"))
	b.WriteString("\r\n")
	return []byte(b.String())
}

// Send sends m through the relay.
func (r Relay) Send(ctx context.Context, m ctis.Mail) error {
	if !ctis.ValidEmail(m.To) {
		return fmt.Errorf("recipient address is not valid")
	}
	timeout := r.Timeout
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	conn, err := (&net.Dialer{}).DialContext(ctx, "tcp", r.Addr)
	if err != nil {
		return fmt.Errorf("reaching the SMTP relay %s: %w", r.Addr, err)
	}
	deadline, _ := ctx.Deadline()
	conn.SetDeadline(deadline)
	host, _, _ := net.SplitHostPort(r.Addr)
	c, err := smtp.NewClient(conn, host)
	if err != nil {
		conn.Close()
		return fmt.Errorf("the SMTP relay %s: %w", r.Addr, err)
	}
	defer c.Close()
	if ok, _ := c.Extension("STARTTLS"); ok {
		if err := c.StartTLS(&tls.Config{ServerName: host, MinVersion: tls.VersionTLS12}); err != nil {
			return fmt.Errorf("STARTTLS with %s: %w", r.Addr, err)
		}
	}
	if r.Username != "" {
		if err := c.Auth(smtp.PlainAuth("", r.Username, r.Password, host)); err != nil {
			return fmt.Errorf("logging in to %s: %w", r.Addr, err)
		}
	}
	if err := c.Mail(r.From); err != nil {
		return err
	}
	if err := c.Rcpt(m.To); err != nil {
		// The relay's answer names the address: keep only its code.
		var te *textproto.Error
		if errors.As(err, &te) {
			return fmt.Errorf("the relay refused the recipient (SMTP %d)", te.Code)
		}
		return errors.New("the relay refused the recipient")
	}
	w, err := c.Data()
	if err != nil {
		return err
	}
	if _, err := w.Write(r.Message(m, time.Now().UTC())); err != nil {
		return err
	}
	if err := w.Close(); err != nil {
		return err
	}
	return c.Quit()
}

// Run sends the outbox's mail every interval until ctx ends. Mail that
// fails waits and is tried again; the log names the mail by its number,
// never its recipient.
func Run(ctx context.Context, box ctis.Mailbox, r Relay, every time.Duration, log *slog.Logger) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if err := Flush(ctx, box, r); err != nil && !errors.Is(err, context.Canceled) {
			log.Error("sending notification mail", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Flush sends every mail due now and records each outcome.
func Flush(ctx context.Context, box ctis.Mailbox, r Relay) error {
	var failed error
	for {
		due, err := box.PendingMail(ctx, 100)
		if err != nil {
			return err
		}
		sent := 0
		for _, m := range due {
			err := r.Send(ctx, m)
			if err != nil {
				failed = fmt.Errorf("mail %d: %w", m.ID, err)
			} else {
				sent++
			}
			if err := box.MailSent(ctx, m.ID, err); err != nil {
				return err
			}
		}
		if len(due) < 100 || sent == 0 {
			return failed
		}
	}
}
