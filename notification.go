package ctis

import (
	"context"
	"time"
)

// NoticeKind says what needs a person's attention.
type NoticeKind string

// The kinds of notification.
const (
	// NoticeRequest: a cooperation request was addressed or shared to
	// the agency, or its other party took a step on it.
	NoticeRequest NoticeKind = "request"
	// NoticeReminder: a request's deadline is near or passed, or a
	// preservation is about to lapse or lapsed.
	NoticeReminder NoticeKind = "reminder"
	// NoticeAlert: an alert was posted in a channel the agency takes
	// part in.
	NoticeAlert NoticeKind = "alert"
	// NoticeHit: a hit was escalated to the agency.
	NoticeHit NoticeKind = "hit"
	// NoticeDirectory: one of the agency's directory entries was not
	// verified for longer than AuthorityStaleAfter.
	NoticeDirectory NoticeKind = "directory"
	// NoticeReferral: content was referred to the agency as a platform,
	// or shared with it, or a party took a step on a referral, or a
	// removal order's hour passed.
	NoticeReferral NoticeKind = "referral"
)

// Notification is one thing that needs the attention of an agency's
// people. It names what it is about (Ref) and why (Topic: the step, the
// reminder, the severity), never its content: what a reader sees of the
// request, alert or hit behind it is what its handling lets them see, and
// a notification whose subject the reader may no longer see is not shown.
// A mailed notification carries a link and nothing else.
type Notification struct {
	ID    int64      `json:"id"`
	Kind  NoticeKind `json:"kind"`
	Ref   string     `json:"ref"`
	Topic string     `json:"topic"`
	At    time.Time  `json:"at"`
	Read  bool       `json:"read"`
	// Link is the page that shows the subject, as a path on the node.
	Link string `json:"link"`
}

// NotificationQuery selects a caller's notifications.
type NotificationQuery struct {
	Unread bool
	Limit  int
}

// NotificationService is what needs the caller's attention.
type NotificationService interface {
	// Notifications lists the caller's agency's notifications that the
	// caller may see, the latest first, with whether the caller read
	// each, and the number unread.
	Notifications(ctx context.Context, q NotificationQuery) ([]Notification, int, error)
	// MarkRead records that the caller read a notification; ENOTFOUND
	// for one the caller may not see.
	MarkRead(ctx context.Context, id int64) error
}

// Mail is one notification to send to one user by e-mail: the address
// and what the mail may say, which is the kind and a link.
type Mail struct {
	ID   int64
	To   string
	Kind NoticeKind
	Link string
	// Lang is the language the recipient chose ("" if none).
	Lang string
}

// Mailbox is the outbox of notification mail. A mail is queued in the
// transaction that makes its notification, so none is lost to a crash;
// it is sent at least once.
type Mailbox interface {
	// PendingMail returns up to limit mails not yet sent.
	PendingMail(ctx context.Context, limit int) ([]Mail, error)
	// MailSent records the outcome of sending mail id: sent when err is
	// nil, otherwise the attempt and its error, so that a mail that keeps
	// failing is given up after MaxMailAttempts.
	MailSent(ctx context.Context, id int64, err error) error
}

// MaxMailAttempts is how many times a mail is tried before it is given up.
const MaxMailAttempts = 10
