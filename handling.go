package ctis

import (
	"slices"
	"strings"
)

// Distribution says which agencies may see a statement.
type Distribution string

// Distributions, from the most to the least restrictive.
const (
	DistOriginator Distribution = "originator" // the contributing agency only
	DistAgencies   Distribution = "agencies"   // the originator and the listed agencies
	DistGroup      Distribution = "group"      // the originator and the members of a sharing group
	DistAll        Distribution = "all"        // every member agency
)

// Restriction is a use restriction as in EU law-enforcement exchange
// (the SIENA handling codes).
type Restriction string

// Use restrictions.
const (
	H0 Restriction = "H0" // no restriction
	H1 Restriction = "H1" // not to be used as evidence in judicial proceedings without the originator's permission
	H2 Restriction = "H2" // not to be disseminated further without the originator's permission
	H3 Restriction = "H3" // another restriction, stated in RestrictionText
)

// Handling is who may see a statement and how it may be used.
type Handling struct {
	Distribution Distribution `json:"distribution"`
	// Agencies lists the agency codes a DistAgencies statement is released to.
	Agencies []string `json:"agencies,omitempty"`
	// Group is the sharing group of a DistGroup statement.
	Group string `json:"group,omitempty"`
	// Frontline releases the statement for frontline use (the tearline).
	Frontline bool `json:"frontline"`
	// HitNotice lets a viewer who may not see the statement learn that a
	// search matched it: "hit — contact agency X", and nothing more.
	HitNotice       bool        `json:"hit_notice"`
	Restriction     Restriction `json:"restriction"`
	RestrictionText string      `json:"restriction_text,omitempty"`
}

// Normalize fills defaults and validates h. The zero Handling becomes the
// most restrictive one: originator only, not frontline, H0.
func (h *Handling) Normalize() error {
	if h.Distribution == "" {
		h.Distribution = DistOriginator
	}
	if h.Restriction == "" {
		h.Restriction = H0
	}
	for i, a := range h.Agencies {
		h.Agencies[i] = strings.ToUpper(strings.TrimSpace(a))
	}
	slices.Sort(h.Agencies)
	h.Agencies = slices.Compact(h.Agencies)
	switch h.Distribution {
	case DistOriginator, DistAll:
		if len(h.Agencies) > 0 || h.Group != "" {
			return Invalid("handling.distribution", "distribution %q takes neither agencies nor a group", h.Distribution)
		}
	case DistAgencies:
		if len(h.Agencies) == 0 {
			return Invalid("handling.agencies", "distribution \"agencies\" needs at least one agency")
		}
		if h.Group != "" {
			return Invalid("handling.group", "distribution \"agencies\" takes no group")
		}
		for i, a := range h.Agencies {
			if !ValidAgencyCode(a) {
				return Invalid("handling.agencies["+itoa(i)+"]", "%q is not an agency code", a)
			}
		}
	case DistGroup:
		if h.Group == "" {
			return Invalid("handling.group", "distribution \"group\" needs a sharing group")
		}
		if len(h.Agencies) > 0 {
			return Invalid("handling.agencies", "distribution \"group\" takes no agency list")
		}
	default:
		return Invalid("handling.distribution", "unknown distribution %q (known: originator, agencies, group, all)", h.Distribution)
	}
	switch h.Restriction {
	case H0, H1, H2:
		if h.RestrictionText != "" {
			return Invalid("handling.restriction_text", "only restriction H3 takes a text")
		}
	case H3:
		if strings.TrimSpace(h.RestrictionText) == "" {
			return Invalid("handling.restriction_text", "restriction H3 needs a text stating the restriction")
		}
		if len(h.RestrictionText) > 1000 {
			return Invalid("handling.restriction_text", "longer than 1000 bytes")
		}
	default:
		return Invalid("handling.restriction", "unknown restriction %q (known: H0, H1, H2, H3)", h.Restriction)
	}
	return nil
}

// Viewer is what handling rules need to know of whoever reads.
type Viewer struct {
	Agency        string
	FrontlineOnly bool
	// Groups lists the sharing groups the viewer's agency belongs to.
	Groups []string
}

// Key names the handling v reads under: readers whose viewers have equal
// keys are shown exactly the same by every read that depends on nothing
// else of the reader (an event's alerts, say). The stores decide a
// viewer's sharing groups from the directory, so a key is its agency and
// whether it reads only what is released to the frontline.
func (v Viewer) Key() string {
	if v.FrontlineOnly {
		return v.Agency + "/frontline"
	}
	return v.Agency
}

// CanSee is the access rule: it reports whether v may see a statement of
// originator under h. Stores apply the same rule inside their queries; this
// function is its definition, and tests hold every store to it.
func CanSee(v Viewer, originator string, h Handling) bool {
	if v.FrontlineOnly && !h.Frontline {
		return false
	}
	if v.Agency == originator {
		return true
	}
	switch h.Distribution {
	case DistAll:
		return true
	case DistAgencies:
		return slices.Contains(h.Agencies, v.Agency)
	case DistGroup:
		return slices.Contains(v.Groups, h.Group)
	}
	return false
}

// Grading is the 4x4 evaluation of a statement: the reliability of its
// source (A always reliable, B mostly reliable, C not reliable, X cannot be
// judged) and the assessment of the information (1 known true without
// reservation, 2 known personally to the source, 3 not known personally but
// corroborated, 4 cannot be judged).
type Grading string

// Valid reports whether g is a 4x4 grade such as "B2"; the empty grading
// means "not graded".
func (g Grading) Valid() bool {
	if g == "" {
		return true
	}
	return len(g) == 2 && strings.ContainsRune("ABCX", rune(g[0])) && g[1] >= '1' && g[1] <= '4'
}

func itoa(i int) string {
	if i < 10 {
		return string(rune('0' + i))
	}
	return itoa(i/10) + string(rune('0'+i%10))
}

// EveryHandling lists one handling of each kind: every distribution (to
// agency, to group, originator, all), each with and without frontline
// release and hit notice — sixteen in all. Tests hold every read path to
// CanSee over it.
func EveryHandling(agency, group string) []Handling {
	var out []Handling
	for _, d := range []Handling{{Distribution: DistOriginator}, {Distribution: DistAgencies, Agencies: []string{agency}},
		{Distribution: DistGroup, Group: group}, {Distribution: DistAll}} {
		for _, frontline := range []bool{false, true} {
			for _, notice := range []bool{false, true} {
				h := d
				h.Agencies = slices.Clone(d.Agencies)
				h.Frontline, h.HitNotice = frontline, notice
				out = append(out, h)
			}
		}
	}
	return out
}
