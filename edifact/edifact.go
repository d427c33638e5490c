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

// Parse reads an interchange into segments.
func Parse(r io.Reader) ([]Segment, Delimiters, error) {
	b, err := io.ReadAll(io.LimitReader(r, MaxSize+1))
	if err != nil {
		return nil, Default, err
	}
	if len(b) > MaxSize {
		return nil, Default, fmt.Errorf("the interchange is larger than %d bytes", MaxSize)
	}
	text := strings.TrimLeft(string(b), " \t\r\n\ufeff")
	d := Default
	line := 1 + strings.Count(string(b[:len(b)-len(text)]), "\n")
	if strings.HasPrefix(text, "UNA") {
		if len(text) < 9 {
			return nil, d, &Error{Segment: 0, Line: line, Tag: "UNA", Msg: "the service string advice is shorter than 9 characters"}
		}
		d = Delimiters{Component: text[3], Element: text[4], Decimal: text[5], Release: text[6], Repetition: text[7], Segment: text[8]}
		line += strings.Count(text[:9], "\n")
		text = text[9:]
	}
	if d.Component == d.Element || d.Element == d.Segment || d.Component == d.Segment || d.Release == d.Segment {
		return nil, d, &Error{Segment: 0, Line: line, Tag: "UNA", Msg: "the service string advice uses one character for two delimiters"}
	}
	var segs []Segment
	var cur []byte
	var elems [][]string
	var comps []string
	start := line
	flushComp := func() { comps = append(comps, string(cur)); cur = cur[:0] }
	flushElem := func() { flushComp(); elems = append(elems, comps); comps = nil }
	for i := 0; i < len(text); i++ {
		c := text[i]
		switch {
		case c == d.Release && d.Release != ' ':
			if i+1 >= len(text) {
				return nil, d, &Error{Segment: len(segs) + 1, Line: line, Msg: "the interchange ends with a release character"}
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
				return nil, d, err
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
		case c == d.Element:
			flushElem()
		case c == d.Component:
			flushComp()
		case c == '\n':
			line++
		case c == '\r':
		default:
			cur = append(cur, c)
		}
	}
	if rest := strings.TrimSpace(string(cur)); rest != "" || len(elems) > 0 {
		return nil, d, &Error{Segment: len(segs) + 1, Line: start, Msg: "the last segment has no terminator"}
	}
	if len(segs) == 0 {
		return nil, d, &Error{Segment: 1, Line: line, Msg: "no segments"}
	}
	return segs, d, nil
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
