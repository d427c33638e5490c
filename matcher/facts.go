package matcher

// facts is what a record's bound needs, besides its names, in one flat,
// pointer-free array beside the slots: a query weighs most records only to
// find that they cannot reach its threshold, and reads no more than this
// of them to do so.
type facts struct {
	date dateSpan
	nats [2]uint16 // ids in Index.natID, 0 for none
	// nd and nn count the dates and nationalities; more than fit here is
	// tooMany, and the record's own are read.
	nd, nn uint8
	sex    byte
	org    bool
	schema bool // the record names its schema
	docs   bool
	part   bool
}

const tooMany = ^uint8(0)

// factsOf returns p's facts, its nationalities given ids by nat.
func factsOf(p *prepared, nat func(string) uint16) facts {
	f := facts{sex: p.sex, org: p.org, schema: p.rec.Schema != "", docs: len(p.docs) > 0, part: p.rec.Part}
	switch n := len(p.dates); {
	case n == 1:
		f.date, f.nd = p.dates[0], 1
	case n > 1:
		f.nd = tooMany
	}
	switch n := len(p.nats); {
	case n <= len(f.nats):
		f.nn = uint8(n)
		for i, c := range p.nats {
			if f.nats[i] = nat(c); f.nats[i] == 0 {
				f.nn = tooMany
			}
		}
	default:
		f.nn = tooMany
	}
	return f
}

// reach says whether a record with facts f may reach q's threshold with
// the best name there could be, as score would bound it; sure is false
// when the facts cannot tell (several dates or nationalities, or
// documents to compare), and score must.
func (q *preparedQuery) reach(f *facts) (ok, sure bool) {
	if f.nd == tooMany || f.nn == tooMany || q.doc != "" && f.docs {
		return false, false
	}
	if q.org != f.org && q.q.Schema != "" && f.schema {
		return false, true
	}
	// In score's order, so that the sums are the same to the last bit.
	sw, ss := weightName, weightName
	if q.hasDt && f.nd > 0 {
		s, _, _ := dateSim(q.date, f.date)
		sw += weightBirthDate
		ss += weightBirthDate * s
	}
	if q.nat != "" && f.nn > 0 {
		sw += weightNationality
		if q.natID != 0 && (f.nats[0] == q.natID || f.nn > 1 && f.nats[1] == q.natID) {
			ss += weightNationality
		}
	}
	if q.sex != 0 && f.sex != 0 {
		sw += weightGender
		if q.sex == f.sex {
			ss += weightGender
		}
	}
	least := q.min
	if f.part {
		least = q.partMin
	}
	return ss/sw >= least, true
}
