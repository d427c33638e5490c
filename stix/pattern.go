package stix

import (
	"strings"

	"ctis"
)

// The object paths a hash-bank value takes in a STIX pattern. MD5 and
// SHA-256 are names of the STIX hash-algorithm vocabulary (STIX 2.1,
// section 10.5; SHA-256 quoted, as a path component holding a hyphen
// must be). PDQ is not in it, and STIX 2.1 allows a custom key for a
// hash outside the vocabulary: ctis names it x_pdq, with the x_ prefix
// STIX 2.0 required of custom hashes, so that tools of either version
// take it for a custom one. A URL is the value of a url object.
var patternPaths = []struct {
	typ       ctis.HashType
	object    string
	property  string // the first path component
	key       string // the hash's key in hashes, if any
	quotedKey bool   // how FormatPattern writes key
}{
	{ctis.HashMD5, "file", "hashes", "MD5", false},
	{ctis.HashSHA256, "file", "hashes", "SHA-256", true},
	{ctis.HashPDQ, "file", "hashes", "x_pdq", false},
	{ctis.HashURL, "url", "value", "", false},
}

// FormatPattern returns the STIX pattern that matches literal as a value
// of type t: [file:hashes.MD5 = '…'], [file:hashes.'SHA-256' = '…'],
// [file:hashes.x_pdq = '…'] or [url:value = '…']. The literal is quoted
// as the STIX patterning grammar's StringLiteral: in single quotes, with
// a quote or a backslash inside escaped by a backslash.
func FormatPattern(t ctis.HashType, literal string) string {
	for _, p := range patternPaths {
		if p.typ != t {
			continue
		}
		path := p.object + ":" + p.property
		switch {
		case p.quotedKey:
			path += ".'" + p.key + "'"
		case p.key != "":
			path += "." + p.key
		}
		return "[" + path + " = " + quote(literal) + "]"
	}
	return ""
}

func quote(s string) string {
	var b strings.Builder
	b.WriteByte('\'')
	for i := 0; i < len(s); i++ {
		if s[i] == '\'' || s[i] == '\\' {
			b.WriteByte('\\')
		}
		b.WriteByte(s[i])
	}
	b.WriteByte('\'')
	return b.String()
}

// ParsePattern reads a pattern of the forms FormatPattern writes and
// returns the type and the literal it matches. It follows the STIX
// patterning grammar for what it reads — whitespace between tokens, a
// path component as an identifier or quoted, the escapes \' and \\ and
// no other — and refuses anything else: another object or property, an
// operator other than =, a second comparison, or text after the closing
// bracket. Errors name the field "pattern" and the byte where reading
// stopped.
func ParsePattern(pattern string) (ctis.HashType, string, error) {
	p := &patternParser{s: pattern}
	p.expect("[")
	object := p.identifier(true)
	// An object path is one token: no space around its colon or dots.
	if p.err == nil && p.peek() != ':' {
		p.fail("expected \":\" right after the object type")
	}
	p.pos++
	property := p.component()
	key := ""
	if p.err == nil && p.peek() == '.' {
		p.pos++
		key = p.component()
	}
	p.expect("=")
	literal := p.literal()
	p.expect("]")
	p.space()
	if p.err == nil && p.pos < len(p.s) {
		p.fail("text after the closing bracket: ctis reads one comparison")
	}
	if p.err != nil {
		return "", "", p.err
	}
	for _, pp := range patternPaths {
		if pp.object == object && pp.property == property && pp.key == key {
			return pp.typ, literal, nil
		}
	}
	return "", "", ctis.Invalid("pattern", "%s:%s%s is not a path ctis reads (file:hashes.MD5, file:hashes.'SHA-256', file:hashes.x_pdq, url:value)",
		object, property, strings.TrimSuffix("."+key, "."))
}

type patternParser struct {
	s   string
	pos int
	err error
}

func (p *patternParser) fail(format string, args ...any) {
	if p.err == nil {
		p.err = ctis.Invalid("pattern", "at byte %d: "+format, append([]any{p.pos}, args...)...)
	}
}

func (p *patternParser) space() {
	for p.pos < len(p.s) && strings.IndexByte(" \t\r\n", p.s[p.pos]) >= 0 {
		p.pos++
	}
}

func (p *patternParser) peek() byte {
	if p.pos < len(p.s) {
		return p.s[p.pos]
	}
	return 0
}

func (p *patternParser) expect(tok string) {
	if p.err != nil {
		return
	}
	p.space()
	if !strings.HasPrefix(p.s[p.pos:], tok) {
		p.fail("expected %q", tok)
		return
	}
	p.pos += len(tok)
	if tok != "]" {
		p.space()
	}
}

// identifier reads an object type (hyphen allows hyphens in it) or a
// bare path component: letters, digits and underscores, starting with a
// letter or an underscore, as the grammar's IdentifierWithHyphen and
// IdentifierWithoutHyphen.
func (p *patternParser) identifier(hyphen bool) string {
	if p.err != nil {
		return ""
	}
	start := p.pos
	for p.pos < len(p.s) {
		c := p.s[p.pos]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || p.pos > start && (c >= '0' && c <= '9' || hyphen && c == '-') {
			p.pos++
			continue
		}
		break
	}
	if p.pos == start {
		p.fail("expected a name")
	}
	return p.s[start:p.pos]
}

// component reads a path component, bare or quoted.
func (p *patternParser) component() string {
	if p.err == nil && p.peek() == '\'' {
		return p.literal()
	}
	return p.identifier(false)
}

// literal reads a StringLiteral.
func (p *patternParser) literal() string {
	if p.err != nil {
		return ""
	}
	if p.peek() != '\'' {
		p.fail("expected a quoted string")
		return ""
	}
	p.pos++
	var b strings.Builder
	for p.pos < len(p.s) {
		c := p.s[p.pos]
		switch c {
		case '\'':
			p.pos++
			return b.String()
		case '\\':
			if p.pos+1 >= len(p.s) || p.s[p.pos+1] != '\'' && p.s[p.pos+1] != '\\' {
				p.fail("a backslash in a string escapes a quote or a backslash, nothing else")
				return ""
			}
			p.pos++
			c = p.s[p.pos]
		}
		b.WriteByte(c)
		p.pos++
	}
	p.fail("the string is not closed")
	return ""
}
