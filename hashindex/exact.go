package hashindex

import "sync"

// Exact finds stored values — cryptographic digests, normalised URLs — by
// equality. Keys are the caller's canonical form of a value: a digest's
// bytes, a normalised URL's SHA-256.
type Exact struct {
	mu       sync.RWMutex
	slots    map[string][]Slot
	owners   []uint32
	disabled []bool
}

// NewExact returns an empty exact index.
func NewExact() *Exact {
	return &Exact{slots: map[string][]Slot{}}
}

// Add stores key for owner and returns its slot.
func (x *Exact) Add(key string, owner uint32) Slot {
	x.mu.Lock()
	defer x.mu.Unlock()
	s := Slot(len(x.owners))
	x.owners = append(x.owners, owner)
	x.disabled = append(x.disabled, false)
	x.slots[key] = append(x.slots[key], s)
	return s
}

// SetDisabled disables or re-enables a slot.
func (x *Exact) SetDisabled(s Slot, off bool) {
	x.mu.Lock()
	defer x.mu.Unlock()
	x.disabled[s] = off
}

// Lookup returns the enabled slots holding key whose owner keep accepts
// (nil keeps all).
func (x *Exact) Lookup(key string, keep func(owner uint32) bool) []Slot {
	x.mu.RLock()
	defer x.mu.RUnlock()
	var out []Slot
	for _, s := range x.slots[key] {
		if !x.disabled[s] && (keep == nil || keep(x.owners[s])) {
			out = append(out, s)
		}
	}
	return out
}

// Len is the number of stored values, enabled or not.
func (x *Exact) Len() int {
	x.mu.RLock()
	defer x.mu.RUnlock()
	return len(x.owners)
}

// Owner returns the owner of slot s.
func (x *Exact) Owner(s Slot) uint32 {
	x.mu.RLock()
	defer x.mu.RUnlock()
	return x.owners[s]
}
