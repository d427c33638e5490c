package matcher

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// dateSpan is a birth date as the days it may fall on: a full date is one
// day, a year 365 days, an approximate date or an interval more.
type dateSpan struct {
	lo, hi int32 // days since 1970-01-01, inclusive
	// prec is the precision written: 'y' year, 'm' month, 'd' day, 'r' a
	// range or approximate date.
	prec byte
	m, d int8
	y    int16
}

// ApproxYears is how far either way an approximate birth date ("1970~",
// "1970?", UN "APPROXIMATELY") is taken to reach.
const ApproxYears = 2

func dayNum(y, m, d int) int32 {
	return int32(time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC).Unix() / 86400)
}

// parseDate reads a birth date: YYYY, YYYY-MM or YYYY-MM-DD, optionally
// followed by ~, ? or % (approximate or uncertain: ±ApproxYears), or an
// interval A/B or A..B of such dates.
func parseDate(s string) (dateSpan, bool) {
	s = strings.TrimSpace(s)
	if a, b, ok := cutAny(s, "/", ".."); ok {
		da, oka := parseDate(a)
		db, okb := parseDate(b)
		if !oka || !okb || db.hi < da.lo {
			return dateSpan{}, false
		}
		return dateSpan{lo: da.lo, hi: db.hi, prec: 'r'}, true
	}
	core := strings.TrimRight(s, "~?%")
	approx := core != s
	var y, m, d int
	var err error
	parts := strings.Split(core, "-")
	switch len(parts) {
	case 3:
		if d, err = atoiN(parts[2], 2); err != nil {
			return dateSpan{}, false
		}
		fallthrough
	case 2:
		if m, err = atoiN(parts[1], 2); err != nil {
			return dateSpan{}, false
		}
		fallthrough
	case 1:
		if y, err = atoiN(parts[0], 4); err != nil {
			return dateSpan{}, false
		}
	default:
		return dateSpan{}, false
	}
	if y < 1000 || y > 2999 || m < 0 || m > 12 || d < 0 || d > 31 || m == 0 && d != 0 {
		return dateSpan{}, false
	}
	ds := dateSpan{y: int16(y), m: int8(m), d: int8(d)}
	switch {
	case d != 0:
		if time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC).Day() != d {
			return dateSpan{}, false
		}
		ds.lo, ds.hi, ds.prec = dayNum(y, m, d), dayNum(y, m, d), 'd'
	case m != 0:
		ds.lo, ds.hi, ds.prec = dayNum(y, m, 1), dayNum(y, m+1, 1)-1, 'm'
	default:
		ds.lo, ds.hi, ds.prec = dayNum(y, 1, 1), dayNum(y+1, 1, 1)-1, 'y'
	}
	if approx {
		ds.lo -= ApproxYears * 366
		ds.hi += ApproxYears * 366
		ds.prec = 'r'
	}
	return ds, true
}

func cutAny(s string, seps ...string) (string, string, bool) {
	for _, sep := range seps {
		if a, b, ok := strings.Cut(s, sep); ok {
			return a, b, true
		}
	}
	return s, "", false
}

func atoiN(s string, n int) (int, error) {
	if len(s) != n {
		return 0, fmt.Errorf("want %d digits", n)
	}
	return strconv.Atoi(s)
}

// widen stretches a span by years either way: the query's tolerance.
func (d dateSpan) widen(years int) dateSpan {
	if years <= 0 {
		return d
	}
	d.lo -= int32(years) * 366
	d.hi += int32(years) * 366
	d.prec = 'r'
	return d
}

// compareDates scores a query birth date against a record's: 1 for the
// same day, less as precision drops or the dates drift apart, 0 when they
// are years apart.
func compareDates(q, r dateSpan) (float64, string) {
	s, why, years := dateSim(q, r)
	if why == "" {
		why = fmt.Sprintf("%.0f years apart", years)
	}
	return s, why
}

// dateSim is compareDates without the words for dates years apart, whose
// why is "" and years how many: for pruning, which needs the score alone.
func dateSim(q, r dateSpan) (s float64, why string, years float64) {
	if q.prec == 'd' && r.prec == 'd' {
		switch {
		case q.lo == r.lo:
			return 1, "same date of birth", 0
		case q.y == r.y && q.m == r.d && q.d == r.m:
			return 0.8, "day and month swapped", 0
		case q.y == r.y && q.m == r.m:
			return 0.7, "same year and month, another day", 0
		case q.y == r.y:
			return 0.6, "same year, another day", 0
		case q.m == r.m && q.d == r.d && abs(int(q.y)-int(r.y)) <= 1:
			return 0.5, "same day and month, a year apart", 0
		}
	}
	if q.lo <= r.hi && r.lo <= q.hi {
		within := q.lo >= r.lo && q.hi <= r.hi || r.lo >= q.lo && r.hi <= q.hi
		coarse := coarser(q.prec, r.prec)
		switch {
		case coarse == 'm' && within:
			return 0.95, "same month of birth (day not known on both)", 0
		case coarse == 'y' && within:
			return 0.9, "same year of birth (day not known on both)", 0
		case within:
			return 0.85, "within the given range", 0
		default:
			return 0.75, "ranges overlap", 0
		}
	}
	gap := r.lo - q.hi
	if q.lo > r.hi {
		gap = q.lo - r.hi
	}
	years = float64(gap) / 365.25
	s = 0.5 - 0.15*(years-0.5)
	if years <= 1 {
		return max(0.5, s), "about a year apart", years
	}
	return max(0, s), "", years
}

func coarser(a, b byte) byte {
	if precRank(a) > precRank(b) {
		return a
	}
	return b
}

// precRank orders precisions from the day ('d') to a range ('r').
func precRank(p byte) int {
	switch p {
	case 'd':
		return 0
	case 'm':
		return 1
	case 'y':
		return 2
	}
	return 3
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}
