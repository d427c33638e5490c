// Package edifact splits UN/EDIFACT interchanges (ISO 9735) into segments,
// elements and components, as the PAXLST and PNRGOV messages of passenger
// data need: a UNA service string advice with any delimiters, the release
// character, and segments on one line or many. It knows no message type
// and does no I/O beyond its reader.
package edifact

import (
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// Delimiters are an interchange's service characters.
type Delimiters struct {
	Component, Element, Decimal, Release, Repetition, Segment byte
}

// Default are the delimiters of syntax level A when there is no UNA.
var Default = Delimiters{Component: ':', Element: '+', Decimal: '.', Release: '?', Repetition: ' ', Segment: '\''}

// Warning is something odd in a message that did not stop the reading,
// placed by segment: real traffic gets counts and codes wrong.
type Warning struct {
	Segment int
	Tag     string
	Msg     string
}

func (w Warning) String() string { return fmt.Sprintf("segment %d (%s): %s", w.Segment, w.Tag, w.Msg) }

// Segment is one segment: its tag and its data elements, each a list of
// components, with releases already applied.
type Segment struct {
	Tag      string
	Elements [][]string
	// Index is the segment's position in the interchange, from 1 (the UNA
	// advice, when present, is not counted); Line is the line it starts on.
	Index, Line int
}

// Element returns component c of element e (both from 0), or "".
func (s *Segment) Element(e, c int) string {
	if e < len(s.Elements) && c < len(s.Elements[e]) {
		return s.Elements[e][c]
	}
	return ""
}

// String writes the segment back with the default delimiters, for messages.
func (s *Segment) String() string {
	var b strings.Builder
	b.WriteString(s.Tag)
	for _, e := range s.Elements {
		b.WriteByte('+')
		b.WriteString(strings.Join(e, ":"))
	}
	return b.String()
}

// Error is a malformed interchange, placed by segment and line.
type Error struct {
	Segment int
	Line    int
	Tag     string
	Msg     string
}

func (e *Error) Error() string {
	if e.Tag != "" {
		return fmt.Sprintf("segment %d (%s, line %d): %s", e.Segment, e.Tag, e.Line, e.Msg)
	}
	return fmt.Sprintf("segment %d (line %d): %s", e.Segment, e.Line, e.Msg)
}

// MaxSize bounds an interchange read by Parse.
const MaxSize = 32 << 20

// Interchange is an interchange read whole.
type Interchange struct {
	Segments   []Segment
	Delimiters Delimiters
	// Syntax is the syntax identifier of the first UNB, such as UNOA: the
	// character repertoire the sender declares.
	Syntax string
	// Warnings are what was odd but readable: text after the trailer UNZ,
	// a UNZ without its terminator, characters outside the declared
	// repertoire, a line break as segment terminator.
	Warnings []Warning
}

// Parse reads an interchange into segments. Read gives its warnings too.
func Parse(r io.Reader) ([]Segment, Delimiters, error) {
	ic, err := Read(r)
	if err != nil {
		if ic != nil {
			return nil, ic.Delimiters, err
		}
		return nil, Default, err
	}
	return ic.Segments, ic.Delimiters, nil
}

// Read reads an interchange into segments. Text after the trailer UNZ,
// or a UNZ without its terminator, is a warning when every message before
// it is whole (UNH … UNT, with the count UNT declares); otherwise the
// interchange was cut short and is refused, placed where it ends.
func Read(r io.Reader) (*Interchange, error) {
	b, err := io.ReadAll(io.LimitReader(r, MaxSize+1))
	if err != nil {
		return nil, err
	}
	if len(b) > MaxSize {
		return nil, fmt.Errorf("the interchange is larger than %d bytes", MaxSize)
	}
	text := strings.TrimLeft(string(b), " \t\r\n\ufeff")
	ic := &Interchange{Delimiters: Default}
	line := 1 + strings.Count(string(b[:len(b)-len(text)]), "\n")
	var segs []Segment
	var cur []byte
	var elems [][]string
	var comps []string
	var d Delimiters
	start := line
	// una reads a service string advice at text[i:], if there is one, and
	// returns where the segments begin.
	una := func(i int) (int, error) {
		d = Default
		if !strings.HasPrefix(text[i:], "UNA") {
			return i, nil
		}
		if len(text)-i < 9 {
			return i, &Error{Segment: len(segs), Line: line, Tag: "UNA", Msg: "the service string advice is shorter than 9 characters"}
		}
		a := text[i : i+9]
		d = Delimiters{Component: a[3], Element: a[4], Decimal: a[5], Release: a[6], Repetition: a[7], Segment: a[8]}
		if d.Component == d.Element || d.Element == d.Segment || d.Component == d.Segment || d.Release == d.Segment {
			return i, &Error{Segment: len(segs), Line: line, Tag: "UNA", Msg: "the service string advice uses one character for two delimiters"}
		}
		if j, ok := brokenAdvice(text[i:], d); ok {
			// The advice does not describe the segments that follow it
			// (a character left out, a typographic apostrophe for the
			// terminator), while the standard delimiters do: read with
			// those from the UNB on, as receivers do, and say so.
			d = Default
			ic.Warnings = append(ic.Warnings, Warning{Segment: len(segs), Tag: "UNA",
				Msg: fmt.Sprintf("the service string advice %q does not end the segments that follow it; read with the standard delimiters", clip(text[i:i+9], 12))})
			line += strings.Count(text[i:i+j], "\n")
			start = line
			return i + j, nil
		}
		if d.Segment == '\n' || d.Segment == '\r' {
			// "UNA:+.? " then a line break, the apostrophe forgotten:
			// segments end at line ends.
			ic.Warnings = append(ic.Warnings, Warning{Segment: len(segs), Tag: "UNA", Msg: "the service string advice makes the line break the segment terminator"})
		}
		line += strings.Count(a, "\n")
		start = line
		return i + 9, nil
	}
	i, err := una(0)
	ic.Delimiters = d
	if err != nil {
		return ic, err
	}
	flushComp := func() { comps = append(comps, string(cur)); cur = cur[:0] }
	flushElem := func() { flushComp(); elems = append(elems, comps); comps = nil }
	// after is where text after a UNZ begins that is not a new interchange.
	after, afterLine := -1, 0
	for ; i < len(text); i++ {
		c := text[i]
		if c == '\n' {
			line++
		}
		switch {
		case c == d.Release && d.Release != ' ':
			if i+1 >= len(text) {
				return ic, &Error{Segment: len(segs) + 1, Line: line, Msg: "the interchange ends with a release character"}
			}
			i++
			if text[i] == '\n' {
				line++
			}
			cur = append(cur, text[i])
		case c == d.Segment:
			flushElem()
			seg, err := segment(elems, len(segs)+1, start)
			if err != nil {
				if d.Segment == '\n' || d.Segment == '\r' {
					err.(*Error).Msg += "; the service string advice UNA makes the line break the segment terminator"
				}
				return ic, err
			}
			segs = append(segs, seg)
			elems = nil
			// Line breaks and indentation between segments are not data.
			for i+1 < len(text) && strings.IndexByte(" \t\r\n", text[i+1]) >= 0 {
				i++
				if text[i] == '\n' {
					line++
				}
			}
			start = line
			if seg.Tag != "UNZ" || i+1 >= len(text) {
				continue
			}
			if strings.HasPrefix(text[i+1:], "UNA") {
				// Another interchange, with its own delimiters.
				j, err := una(i + 1)
				if err != nil {
					return ic, err
				}
				i = j - 1
				continue
			}
			if !isSegment(text[i+1:], d) {
				after, afterLine = i+1, line
			}
		case c == d.Element:
			flushElem()
		case c == d.Component:
			flushComp()
		case c == '\n' || c == '\r':
		default:
			cur = append(cur, c)
		}
		if after >= 0 {
			break
		}
	}
	switch {
	case after >= 0:
		if err := whole(segs); err != nil {
			return ic, &Error{Segment: len(segs) + 1, Line: afterLine, Msg: "text after the interchange trailer UNZ, and " + err.Error()}
		}
		ic.Warnings = append(ic.Warnings, Warning{Segment: len(segs), Tag: "UNZ",
			Msg: fmt.Sprintf("text after the interchange trailer, from line %d, is left out: %q", afterLine, clip(strings.TrimSpace(text[after:]), 40))})
	case strings.TrimSpace(string(cur)) != "" || len(elems) > 0:
		flushElem()
		seg, serr := segment(elems, len(segs)+1, start)
		if serr != nil || seg.Tag != "UNZ" {
			return ic, &Error{Segment: len(segs) + 1, Line: start, Msg: "the last segment has no terminator"}
		}
		if err := whole(segs); err != nil {
			return ic, &Error{Segment: len(segs) + 1, Line: start, Tag: "UNZ", Msg: "the interchange trailer has no segment terminator, and " + err.Error()}
		}
		segs = append(segs, seg)
		ic.Warnings = append(ic.Warnings, Warning{Segment: seg.Index, Tag: "UNZ", Msg: "the interchange trailer has no segment terminator"})
	}
	if len(segs) == 0 {
		return ic, &Error{Segment: 1, Line: line, Msg: "no segments"}
	}
	ic.Segments = segs
	ic.checkRepertoire()
	return ic, nil
}

// whole says why the messages of segs are not all whole: a UNH without
// its UNT. A UNT whose count is not the message's is no sign of a message
// cut short — its trailer arrived — and the readers warn of it, as GTAS's
// own samples (whose UNT declares 173 segments for 24) call for.
func whole(segs []Segment) error {
	unh := -1
	for i := range segs {
		switch segs[i].Tag {
		case "UNH":
			if unh >= 0 {
				return fmt.Errorf("the message begun in segment %d has no trailer UNT", segs[unh].Index)
			}
			unh = i
		case "UNT":
			if unh < 0 {
				return fmt.Errorf("the trailer UNT in segment %d has no header UNH", segs[i].Index)
			}
			unh = -1
		}
	}
	if unh >= 0 {
		return fmt.Errorf("the message begun in segment %d has no trailer UNT", segs[unh].Index)
	}
	return nil
}

// brokenAdvice reports whether the service string advice at the start of
// text, read as d, fails to describe the interchange header after it — the
// header UNB does not end with d's terminator before the next header
// begins — while the standard delimiters do. It returns where the UNB
// begins.
func brokenAdvice(text string, d Delimiters) (int, bool) {
	unb := strings.Index(text, "UNB")
	if unb < 0 || unb > 16 {
		return 0, false
	}
	header := text[unb:]
	next := len(header)
	for _, tag := range []string{"UNG", "UNH"} {
		if k := strings.Index(header, tag); k > 0 && k < next {
			next = k
		}
	}
	header = header[:next]
	if strings.IndexByte(header, d.Segment) >= 0 || d == Default {
		return 0, false
	}
	if len(header) < 4 || header[3] != Default.Element || strings.IndexByte(header, Default.Segment) < 0 {
		return 0, false
	}
	return unb, true
}

// isSegment says whether text begins with a segment: a tag, then a
// delimiter. Segments after a UNZ are read (another interchange, or a
// message sent out of place); other text is not.
func isSegment(text string, d Delimiters) bool {
	if len(text) < 4 || text[3] != d.Element && text[3] != d.Segment {
		return false
	}
	for _, c := range []byte(text[:3]) {
		if c < 'A' || c > 'Z' {
			return false
		}
	}
	return true
}

func clip(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

func segment(elems [][]string, index, line int) (Segment, error) {
	tag := ""
	if len(elems) > 0 && len(elems[0]) > 0 {
		tag = strings.TrimSpace(elems[0][0])
	}
	if len(tag) != 3 || strings.ToUpper(tag) != tag {
		return Segment{}, &Error{Segment: index, Line: line, Msg: fmt.Sprintf("%q is not a segment tag", tag)}
	}
	for _, c := range tag {
		if c < 'A' || c > 'Z' {
			return Segment{}, &Error{Segment: index, Line: line, Msg: fmt.Sprintf("%q is not a segment tag", tag)}
		}
	}
	return Segment{Tag: tag, Elements: elems[1:], Index: index, Line: line}, nil
}

// levelA is the repertoire of syntax level A (UNOA): ISO 646 without
// lower case letters or national characters.
const levelA = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .,-()/='+:?!\"%&*;<>"

// repertoire says whether a character of data is in the repertoire a
// syntax identifier declares, or returns nil for one not known here.
func repertoire(syntax string) func(r rune) bool {
	switch syntax {
	case "UNOA", "IATA":
		return func(r rune) bool { return r < 0x80 && strings.IndexByte(levelA, byte(r)) >= 0 }
	case "UNOB", "IATB":
		return func(r rune) bool { return r >= 'a' && r <= 'z' || r < 0x80 && strings.IndexByte(levelA, byte(r)) >= 0 }
	case "UNOC", "UNOD", "UNOE", "UNOF", "UNOG", "UNOH", "UNOI", "UNOJ", "UNOK":
		// One of the ISO 8859 parts: bytes, not runes, are checked.
		return func(r rune) bool { return r >= 0x20 && r < 0x7f || r >= 0xa0 && r <= 0xff }
	case "UNOW", "UNOY":
		return func(r rune) bool { return r != utf8.RuneError && r >= 0x20 && (r < 0x7f || r >= 0xa0) }
	}
	return nil
}

// checkRepertoire warns, once, of data characters outside the repertoire
// the UNB declares: a name in lower case under UNOA, or UTF-8 under UNOA
// or UNOB. They are read all the same.
func (ic *Interchange) checkRepertoire() {
	for i := range ic.Segments {
		if ic.Segments[i].Tag == "UNB" {
			ic.Syntax = strings.TrimSpace(ic.Segments[i].Element(0, 0))
			break
		}
	}
	in := repertoire(ic.Syntax)
	if in == nil {
		return
	}
	bytewise := ic.Syntax != "UNOW" && ic.Syntax != "UNOY"
	var first *Segment
	var firstChar string
	chars, segs := 0, 0
	for i := range ic.Segments {
		s := &ic.Segments[i]
		bad := 0
		for _, e := range s.Elements {
			for _, c := range e {
				for j := 0; j < len(c); {
					r, n := rune(c[j]), 1
					if !bytewise {
						r, n = utf8.DecodeRuneInString(c[j:])
					}
					if !in(r) {
						if first == nil {
							first, firstChar = s, c[j:j+n]
						}
						bad++
					}
					j += n
				}
			}
		}
		if bad > 0 {
			chars, segs = chars+bad, segs+1
		}
	}
	if first != nil {
		ic.Warnings = append(ic.Warnings, Warning{Segment: first.Index, Tag: first.Tag,
			Msg: fmt.Sprintf("%d characters in %d segments are outside the repertoire %s that UNB declares; the first is %q", chars, segs, ic.Syntax, firstChar)})
	}
}
