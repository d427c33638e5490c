package ctis

import (
	"context"
	"time"
)

// A write request may carry a key of its sender's choosing
// (Idempotency-Key) so that it is safe to send again: when the process
// that took it dies before answering, a load balancer or the client sends
// the same request with the same key to another process, which answers
// what the first one did instead of doing it twice.
//
// The key is claimed in the first write transaction of the request, in
// the same commit as the write: either both are in the store or neither.
// Where the request's answer can be rendered from the result of that
// write (Answer), it is kept in the same commit too; otherwise it is kept
// after it is sent. A request sent again finds its key claimed at its
// first write, which is refused, and gets the kept answer instead, or, if
// the first process died between its commit and keeping the answer, a
// conflict saying it was carried out.

// RequestKey is a write request's key, carried in its context to the
// store, which claims it.
type RequestKey struct {
	Key string
	// Claimed is set by the store once the key is in a write's
	// transaction; Refused when the key was claimed before, and the
	// write refused.
	Claimed, Refused bool
	// Answer, when set by whoever answers the request, renders its
	// answer from the result of the write that claims the key, which
	// that write gives (SetResult); the store then keeps the answer in
	// the write's own commit, and sets Kept. It is for requests whose
	// claiming write is their last step, and the answer sent must then
	// be Kept, byte for byte.
	Answer func(result any) (KeptAnswer, error)
	// Kept is the answer kept in the commit of the write that claimed
	// the key.
	Kept *KeptAnswer
	// result is what the claiming write gave for Answer.
	result any
}

// SetResult gives the result of a write to the request key in ctx, if
// any, for its answer to be rendered and kept with the write.
func SetResult(ctx context.Context, v any) {
	if k := RequestKeyFrom(ctx); k != nil && k.Answer != nil {
		k.result = v
	}
}

// Render renders the answer of the write that claims k from the result
// it gave, or returns nil when there is none to render: the answer is
// then kept after it is sent.
func (k *RequestKey) Render() *KeptAnswer {
	if k.Answer == nil || k.result == nil {
		return nil
	}
	a, err := k.Answer(k.result)
	if err != nil {
		return nil
	}
	return &a
}

type requestKeyKey struct{}

// WithRequestKey returns ctx carrying the request's key.
func WithRequestKey(ctx context.Context, k *RequestKey) context.Context {
	return context.WithValue(ctx, requestKeyKey{}, k)
}

// RequestKeyFrom returns the request key in ctx, or nil.
func RequestKeyFrom(ctx context.Context) *RequestKey {
	k, _ := ctx.Value(requestKeyKey{}).(*RequestKey)
	return k
}

// KeptAnswer is the answer given to a request sent with a key: its
// status, the headers that describe its body (KeptHeaders) and the body.
type KeptAnswer struct {
	Status int
	Header map[string]string
	Body   []byte
}

// KeptHeaders are the headers of an answer kept with it.
var KeptHeaders = []string{"Content-Type", "Location"}

// RequestKeys keeps the answers of requests sent with a key, for their
// sender alone, for RequestKeyLifetime.
type RequestKeys interface {
	// Answer looks up the caller's request sent with key. done is false
	// when no request with it was carried out; a nil answer with done
	// true means one was, and its answer was not kept.
	Answer(ctx context.Context, key string) (a *KeptAnswer, done bool, err error)
	// Keep keeps the answer of the caller's request whose key was
	// claimed.
	Keep(ctx context.Context, key string, a KeptAnswer) error
}

// RequestKeyLifetime is how long a request key and its answer are kept:
// long enough for any retry, short enough that answers holding personal
// data do not linger.
const RequestKeyLifetime = 24 * time.Hour

// ValidRequestKey reports whether k is a usable key: 1 to 255 printable
// ASCII characters.
func ValidRequestKey(k string) bool {
	if len(k) == 0 || len(k) > 255 {
		return false
	}
	for i := 0; i < len(k); i++ {
		if k[i] < 0x21 || k[i] > 0x7e {
			return false
		}
	}
	return true
}

// PostStatuses keeps the statuses of posts to a node's TAXII server, so
// that a client may read one from any serve process, and after a restart,
// for as long as a request key is kept (RequestKeyLifetime).
type PostStatuses interface {
	// KeepStatus keeps status, the status resource of ID id as the client
	// was answered, for the caller's agency alone. EINVALID for an ID that
	// is not a UUID or a status over 1 MiB; ECONFLICT for an ID kept
	// already.
	KeepStatus(ctx context.Context, id string, status []byte) error
	// Status returns a status kept for the caller's agency. A status of
	// another agency's post, or one past its lifetime, is ENOTFOUND, as
	// an absent one is.
	Status(ctx context.Context, id string) ([]byte, error)
}
