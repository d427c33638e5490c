package ctis

import (
	"errors"
	"fmt"
)

// Error codes are stable: API clients branch on them, so they never change
// meaning once published.
const (
	EINVALID      = "invalid"           // the request breaks a rule; Field names the part
	ENOTFOUND     = "not_found"         // absent, or present but hidden by handling: the two read the same
	EUNAUTHORIZED = "unauthorized"      // no valid credentials
	EFORBIDDEN    = "forbidden"         // authenticated, but the role or agency may not do this
	ECONFLICT     = "conflict"          // the object already exists or changed underneath
	ETOOLARGE     = "too_large"         // the body or batch is over its size limit
	EUNSUPPORTED  = "unsupported_media" // wrong content type
	ERATELIMITED  = "rate_limited"      // too many attempts; try later
	EINTERNAL     = "internal"          // a fault of ours; the message never reaches users
)

// Error is the application error. Its Message is safe to show a user; an
// internal cause is kept out of it and only ever logged without personal data.
type Error struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	// Field names the offending part of the input, as a JSON path such as
	// "statements[2].value", when there is one.
	Field string `json:"field,omitempty"`
}

func (e *Error) Error() string {
	if e.Field != "" {
		return fmt.Sprintf("%s: %s: %s", e.Code, e.Field, e.Message)
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

// Errorf returns an Error with a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Invalid returns an EINVALID error about field.
func Invalid(field, format string, args ...any) *Error {
	return &Error{Code: EINVALID, Field: field, Message: fmt.Sprintf(format, args...)}
}

// ErrNotFound is the one answer for an object that is absent or hidden.
// Handlers and stores return it unchanged so that the two cases cannot be
// told apart by wording.
func ErrNotFound(kind string) *Error {
	return &Error{Code: ENOTFOUND, Message: kind + " not found"}
}

// ErrorCode returns the code of an application error, or EINTERNAL for any
// other error and "" for nil.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the user-safe message of err; internal errors get a
// generic text.
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "internal error"
}

// ErrorField returns the offending field of an application error, if any.
func ErrorField(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Field
	}
	return ""
}

// Prefix returns err with its Field placed under prefix (for example the
// index of a statement within a batch). Other errors are returned unchanged.
func Prefix(prefix string, err error) error {
	var e *Error
	if !errors.As(err, &e) {
		return err
	}
	f := prefix
	if e.Field != "" {
		if e.Field[0] == '[' {
			f += e.Field
		} else {
			f += "." + e.Field
		}
	}
	return &Error{Code: e.Code, Message: e.Message, Field: f}
}
