package taxii

import (
	"context"
	"encoding/base64"
	"fmt"
	"math"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"ctis"
	"ctis/stix"
)

// filter is what a request asks of a collection's objects: the TAXII 2.1
// URL parameters added_after, limit, next and match[…], parsed. The zero
// filter asks for everything, a page at a time.
type filter struct {
	addedAfter time.Time
	limit      int
	next       *cursor
	ids        []string
	types      []string
	// versions holds "first", "last", "all" or timestamps; empty means
	// "last", which for ctis is the one version it keeps.
	versions     []string
	specVersions []string
}

// cursor is where a page ended: the position of its last object. A
// position names a fixed point in the order of a collection that later
// changes never move.
type cursor = position

// encode makes the opaque next token of c.
func (c cursor) encode() string {
	return base64.RawURLEncoding.EncodeToString(fmt.Appendf(nil, "%d %d %d %s", nanos(c.key.At), c.key.Seq, c.rank, c.id))
}

// nanos is t in nanoseconds since 1970, 0 for the zero time.
func nanos(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

// decodeCursor reads a next token this server gave.
func decodeCursor(s string) (*cursor, error) {
	bad := ctis.Invalid("next", "next is not a token this server gave")
	if len(s) > 512 {
		return nil, bad
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return nil, bad
	}
	f := strings.Split(string(b), " ")
	if len(f) != 4 || !validObjectID(f[3]) {
		return nil, bad
	}
	ns, err1 := strconv.ParseInt(f[0], 10, 64)
	seq, err2 := strconv.ParseInt(f[1], 10, 64)
	r, err3 := strconv.Atoi(f[2])
	if err1 != nil || err2 != nil || err3 != nil || ns < 0 || seq < 0 || r < 0 || r > 3 || strconv.Itoa(r) != f[2] {
		return nil, bad
	}
	c := &cursor{key: ctis.ListingKey{Seq: seq}, rank: r, id: f[3]}
	if ns > 0 {
		c.key.At = time.Unix(0, ns).UTC()
	}
	return c, nil
}

// validObjectID reports whether s has the shape of a STIX identifier,
// type--UUID.
func validObjectID(s string) bool {
	typ, u, ok := strings.Cut(s, "--")
	return ok && validType(typ) && len(u) == 36 && strings.Trim(u, "0123456789abcdef-") == ""
}

// validType reports whether s may be a STIX type name: 3 to 250 ASCII
// lower-case letters, digits and hyphens.
func validType(s string) bool {
	return len(s) >= 3 && len(s) <= 250 && strings.Trim(s, "abcdefghijklmnopqrstuvwxyz0123456789-") == ""
}

// params are the URL parameters an endpoint takes, beyond those of ctis
// itself (purpose).
type params uint8

const (
	pAddedAfter params = 1 << iota
	pLimit
	pNext
	pID
	pType
	pVersion
	pSpecVersion

	objectsParams  = pAddedAfter | pLimit | pNext | pID | pType | pVersion | pSpecVersion
	objectParams   = pAddedAfter | pLimit | pNext | pVersion | pSpecVersion
	versionsParams = pAddedAfter | pLimit | pNext | pSpecVersion
)

// names maps each TAXII parameter to its flag.
var names = map[string]params{
	"added_after": pAddedAfter, "limit": pLimit, "next": pNext,
	"match[id]": pID, "match[type]": pType, "match[version]": pVersion, "match[spec_version]": pSpecVersion,
}

// parseFilter reads the TAXII parameters of a request to an endpoint that
// takes allowed. A TAXII parameter the endpoint does not take, a parameter
// given twice, or a value that is not what the specification defines is
// refused naming the parameter: a client that asked for a filter must not
// get everything because the filter was dropped. Parameters that are not
// TAXII's (such as purpose) are left to others.
func parseFilter(q url.Values, allowed params) (filter, error) {
	f := filter{limit: ctis.DefaultLimit}
	for name, values := range q {
		p, ok := names[name]
		if !ok {
			if strings.HasPrefix(name, "match[") {
				return f, ctis.Invalid(name, "unknown filter %q (known: match[id], match[type], match[version], match[spec_version])", name)
			}
			continue
		}
		if allowed&p == 0 {
			return f, ctis.Invalid(name, "this endpoint does not take %s", name)
		}
		if len(values) != 1 {
			return f, ctis.Invalid(name, "%s is given more than once; give one value, or a comma-separated list", name)
		}
		v := values[0]
		var err error
		switch p {
		case pAddedAfter:
			f.addedAfter, err = parseTimestamp(name, v)
		case pLimit:
			n, perr := strconv.Atoi(v)
			if perr != nil || n < 1 {
				return f, ctis.Invalid(name, "limit must be a whole number from 1")
			}
			// The specification lets a server return fewer objects than
			// asked; a larger limit is not an error to a TAXII client.
			f.limit = min(n, ctis.MaxLimit)
		case pNext:
			f.next, err = decodeCursor(v)
		case pID:
			f.ids, err = list(name, v, validObjectID)
		case pType:
			f.types, err = list(name, v, validType)
		case pVersion:
			f.versions, err = list(name, v, func(s string) bool {
				if s == "first" || s == "last" || s == "all" {
					return true
				}
				_, err := parseTimestamp(name, s)
				return err == nil
			})
		case pSpecVersion:
			f.specVersions, err = list(name, v, func(s string) bool { return s == "2.0" || s == "2.1" })
		}
		if err != nil {
			return f, err
		}
	}
	return f, nil
}

// list splits a comma-separated parameter, each item checked by valid.
func list(name, v string, valid func(string) bool) ([]string, error) {
	items := strings.Split(v, ",")
	if len(items) > 100 {
		return nil, ctis.Invalid(name, "%s lists more than 100 values", name)
	}
	for _, s := range items {
		if !valid(s) {
			return nil, ctis.Invalid(name, "%q is not a value %s takes", s, name)
		}
	}
	return items, nil
}

// parseTimestamp reads a TAXII timestamp: RFC 3339 in UTC ("Z"), with or
// without a fraction of a second.
func parseTimestamp(name, s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil || !strings.HasSuffix(s, "Z") {
		return time.Time{}, ctis.Invalid(name, "%s must be a timestamp such as 2026-01-31T12:00:00.000Z", name)
	}
	return t, nil
}

// entityUUIDs returns the UUIDs of the entities whose objects ids name,
// for the store to read those alone; false if one of ids names something
// else (a relationship, a marking, a definition), which only a read of the
// whole collection finds.
func entityUUIDs(ids []string) ([]string, bool) {
	var out []string
	for _, id := range ids {
		typ, u, _ := strings.Cut(id, "--")
		if id == stix.Creator || !slices.Contains(stix.EntityTypes(), typ) {
			return nil, false
		}
		out = append(out, u)
	}
	return out, len(out) > 0
}

// keeps reports whether the filter keeps o, leaving paging aside.
func (f *filter) keeps(o *record) bool {
	if !f.addedAfter.IsZero() && !o.added.After(f.addedAfter) {
		return false
	}
	if len(f.ids) > 0 && !slices.Contains(f.ids, o.ID) {
		return false
	}
	if len(f.types) > 0 && !slices.Contains(f.types, o.Type) {
		return false
	}
	if len(f.specVersions) > 0 && !slices.Contains(f.specVersions, o.SpecVersion) {
		return false
	}
	// ctis keeps one version of each object, its current one: it is the
	// first, the last and all of them, and a timestamp matches it when it
	// is that version.
	if len(f.versions) > 0 {
		matched := false
		for _, v := range f.versions {
			switch v {
			case "first", "last", "all":
				matched = true
			default:
				t, _ := time.Parse(time.RFC3339Nano, v)
				matched = matched || t.Equal(o.version)
			}
		}
		if !matched {
			return false
		}
	}
	return true
}

// start is where in the store's listing a read for f begins: at the
// change of its next token (whose own objects come again, to be cut at
// the position), or at the first change whose date_added, to the
// millisecond, is after added_after.
func (f *filter) start() ctis.ListingKey {
	if f.next != nil {
		return ctis.ListingKey{At: f.next.key.At, Seq: f.next.key.Seq - 1}
	}
	if f.addedAfter.IsZero() {
		return ctis.ListingKey{}
	}
	// An object's date_added is its version cut to the millisecond: it is
	// after added_after when the version is at or after the next whole
	// millisecond.
	from := f.addedAfter.Truncate(time.Millisecond).Add(time.Millisecond)
	return ctis.ListingKey{At: from.Add(-time.Nanosecond), Seq: math.MaxInt64}
}

// page reads from rd one page of what f keeps, and whether more follow.
func (f *filter) page(ctx context.Context, rd *reader) (out []record, more bool, err error) {
	rd.after = f.start()
	for {
		recs, err := rd.next(ctx, f.limit+1)
		if err != nil {
			return nil, false, err
		}
		for i := range recs {
			if f.take(&out, &recs[i]) {
				return out, true, nil
			}
		}
		if rd.done {
			return out, false, nil
		}
	}
}

// pageOf is page over records read already, in order.
func (f *filter) pageOf(records []record) (out []record, more bool) {
	for i := range records {
		if f.take(&out, &records[i]) {
			return out, true
		}
	}
	return out, false
}

// take adds o to a page, if it comes after the page's start and f keeps
// it, and reports whether it is one more than the page holds: more follow.
func (f *filter) take(page *[]record, o *record) bool {
	if f.next != nil && order(o.at, *f.next) <= 0 || !f.keeps(o) {
		return false
	}
	if len(*page) == f.limit {
		return true
	}
	*page = append(*page, *o)
	return false
}
