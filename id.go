package ctis

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"time"
)

const crockford = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

// NewID returns a new 26-character identifier: a millisecond timestamp and
// 80 random bits in Crockford base32 (the ULID layout), so IDs sort by
// creation time and never collide in practice.
func NewID() string {
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], uint64(time.Now().UnixMilli())<<16)
	if _, err := rand.Read(b[6:]); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return encodeID(b)
}

// NewReference returns a new opaque reference of 26 characters: 128
// random bits in Crockford base32. Unlike an ID it holds no time, and
// unlike a sequence number it tells its holder nothing of what else
// happened on the node, so it can be handed to another agency.
func NewReference() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return encodeID(b)
}

// DerivedID returns the ID that an entity from an outside source always
// gets, so that re-importing the source finds it again: a hash of the
// source's namespace and its own key for the entry (the UN list's DATAID).
func DerivedID(namespace, key string) string {
	h := sha256.Sum256([]byte(namespace + "\x00" + key))
	var b [16]byte
	copy(b[:], h[:16])
	return encodeID(b)
}

// ScopedID returns the ID of the entity that agency's imports and feeds
// name key: importer-supplied IDs are scoped to the importing agency, and
// key itself is never stored as an entity ID. Only agency's imports and
// syncs create entities under such IDs, and no other way creates an
// entity under an ID of the caller's choosing, so no agency can take an ID
// another agency will need (and so block its imports), and an import
// learns nothing of entities it may not see: a key that is another
// agency's hidden entity is treated exactly as an unused one.
func ScopedID(agency, key string) string {
	return DerivedID("agency:"+agency, key)
}

func encodeID(b [16]byte) string {
	var out [26]byte
	// 128 bits → 26 base32 digits, most significant first (2 leading pad bits).
	hi, lo := binary.BigEndian.Uint64(b[:8]), binary.BigEndian.Uint64(b[8:])
	for i := 25; i >= 0; i-- {
		out[i] = crockford[lo&31]
		lo = lo>>5 | hi<<59
		hi >>= 5
	}
	return string(out[:])
}

// ValidID reports whether s has the form of an ID made by NewID.
func ValidID(s string) bool {
	if len(s) != 26 || s[0] > '7' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' && c != 'I' && c != 'L' && c != 'O' && c != 'U') {
			return false
		}
	}
	return true
}
