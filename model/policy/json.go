package policy

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// A small JSON reader that keeps positions, reports trailing commas and duplicate keys as
// findings instead of failing, and bounds depth, size and element counts so hostile input
// cannot make it hang or blow up.

// Hard bounds for any document, whatever its kind. The kind's own size limit is a finding;
// these stop the parser itself.
const (
	MaxDocumentBytes = 1 << 20 // 1 MiB: larger input is refused before parsing
	MaxNestingDepth  = 16      // a policy needs 6 levels
	MaxStatements    = 1000    // a 16 KiB bucket policy fits about 400
	maxElements      = 100000  // values in the whole document
)

type nodeKind uint8

const (
	kNull nodeKind = iota
	kBool
	kNumber
	kString
	kArray
	kObject
)

func (k nodeKind) String() string {
	switch k {
	case kNull:
		return "null"
	case kBool:
		return "a boolean"
	case kNumber:
		return "a number"
	case kString:
		return "a string"
	case kArray:
		return "a list"
	}
	return "an object"
}

type member struct {
	key       string
	line, col int // of the key
	val       *node
}

type node struct {
	kind      nodeKind
	line, col int
	str       string // string value, number literal, "true"/"false"
	elems     []*node
	members   []member
}

// get returns the value of key, or nil.
func (n *node) get(key string) *node {
	for i := range n.members {
		if n.members[i].key == key {
			return n.members[i].val
		}
	}
	return nil
}

// member returns the member named key, or nil.
func (n *node) member(key string) *member {
	for i := range n.members {
		if n.members[i].key == key {
			return &n.members[i]
		}
	}
	return nil
}

// jsonReader is a recursive-descent reader over src.
type jsonReader struct {
	src       []byte
	pos       int
	line, col int // of src[pos]
	count     int
	// soft collects non-fatal problems (trailing comma, duplicate key), with paths.
	soft []*ParseError
	path pathBuf
}

type fatal struct{ err *ParseError }

// pathBuf builds JSON paths like Statement[1].Condition.StringLike.
type pathBuf struct{ parts []string }

func (p *pathBuf) push(s string) { p.parts = append(p.parts, s) }
func (p *pathBuf) pop()          { p.parts = p.parts[:len(p.parts)-1] }
func (p *pathBuf) String() string {
	var b strings.Builder
	for _, s := range p.parts {
		if s != "" && s[0] != '[' && b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(s)
	}
	return b.String()
}

func keyPart(k string) string { return k }
func indexPart(i int) string  { return "[" + strconv.Itoa(i) + "]" }

// parseJSON reads one JSON value filling the whole input. On a fatal syntax error it returns
// nil and that error; soft problems come back in the slice either way.
func parseJSON(src []byte) (root *node, soft []*ParseError, err *ParseError) {
	r := &jsonReader{src: src, line: 1, col: 1}
	if len(src) > MaxDocumentBytes {
		return nil, nil, &ParseError{Line: 1, Col: 1, Message: "document is " + strconv.Itoa(len(src)) + " bytes; the largest accepted is " + strconv.Itoa(MaxDocumentBytes)}
	}
	defer func() {
		if v := recover(); v != nil {
			f, ok := v.(fatal)
			if !ok {
				panic(v)
			}
			root, soft, err = nil, r.soft, f.err
		}
	}()
	// A UTF-8 byte order mark is not JSON.
	if len(src) >= 3 && src[0] == 0xEF && src[1] == 0xBB && src[2] == 0xBF {
		r.fail("the document starts with a byte order mark (BOM); save it as UTF-8 without BOM")
	}
	r.skipSpace()
	if r.pos >= len(r.src) {
		r.fail("empty document: want a JSON object {\"Version\": \"1\", \"Statement\": [...]}")
	}
	root = r.value(0)
	r.skipSpace()
	if r.pos < len(r.src) {
		r.fail("unexpected " + r.describe() + " after the end of the document")
	}
	return root, r.soft, nil
}

func (r *jsonReader) fail(msg string) {
	panic(fatal{&ParseError{Line: r.line, Col: r.col, Path: r.path.String(), Message: msg}})
}

func (r *jsonReader) failAt(line, col int, msg string) {
	panic(fatal{&ParseError{Line: line, Col: col, Path: r.path.String(), Message: msg}})
}

// describe names the character at pos for messages.
func (r *jsonReader) describe() string {
	if r.pos >= len(r.src) {
		return "end of input"
	}
	c, _ := utf8.DecodeRune(r.src[r.pos:])
	if c == utf8.RuneError {
		return "byte 0x" + strconv.FormatUint(uint64(r.src[r.pos]), 16)
	}
	if c < 0x20 {
		return "control character " + strconv.QuoteRune(c)
	}
	return "character " + strconv.QuoteRune(c)
}

func (r *jsonReader) advance() {
	c := r.src[r.pos]
	if c == '\n' {
		r.line++
		r.col = 1
		r.pos++
		return
	}
	if c < utf8.RuneSelf {
		r.pos++
		r.col++
		return
	}
	_, n := utf8.DecodeRune(r.src[r.pos:])
	r.pos += n
	r.col++
}

func (r *jsonReader) skipSpace() {
	for r.pos < len(r.src) {
		switch r.src[r.pos] {
		case ' ', '\t', '\r', '\n':
			r.advance()
		case '/':
			if r.pos+1 < len(r.src) && (r.src[r.pos+1] == '/' || r.src[r.pos+1] == '*') {
				r.fail("comments are not allowed in JSON")
			}
			return
		default:
			return
		}
	}
}

func (r *jsonReader) value(depth int) *node {
	if depth >= MaxNestingDepth {
		r.fail("nested deeper than " + strconv.Itoa(MaxNestingDepth) + " levels; a policy needs at most 6")
	}
	r.count++
	if r.count > maxElements {
		r.fail("more than " + strconv.Itoa(maxElements) + " values in the document")
	}
	if r.pos >= len(r.src) {
		r.fail("unexpected end of input: want a value")
	}
	n := &node{line: r.line, col: r.col}
	switch c := r.src[r.pos]; {
	case c == '{':
		n.kind = kObject
		r.object(n, depth)
	case c == '[':
		n.kind = kArray
		r.array(n, depth)
	case c == '"':
		n.kind = kString
		n.str = r.str()
	case c == '-' || (c >= '0' && c <= '9'):
		n.kind = kNumber
		n.str = r.number()
	case c == 't' || c == 'f' || c == 'n':
		w := r.word()
		switch w {
		case "true", "false":
			n.kind, n.str = kBool, w
		case "null":
			n.kind = kNull
		default:
			r.failAt(n.line, n.col, "invalid literal "+strconv.Quote(w)+": want true, false, null, a number, a \"string\", a list or an object")
		}
	case c == '\'':
		r.fail("strings take double quotes (\"), not single quotes")
	case c == ']' || c == '}':
		r.fail("unexpected " + r.describe() + ": want a value")
	default:
		w := r.word()
		if w == "" {
			r.fail("unexpected " + r.describe() + ": want a value")
		}
		r.failAt(n.line, n.col, "invalid value "+strconv.Quote(w)+": strings need double quotes")
	}
	return n
}

// word reads a run of letters/digits for messages about bare words.
func (r *jsonReader) word() string {
	start := r.pos
	for r.pos < len(r.src) && r.pos-start < 40 {
		c := r.src[r.pos]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == ':' || c == '*' || c == '.' || c == '-') {
			break
		}
		r.advance()
	}
	return string(r.src[start:r.pos])
}

func (r *jsonReader) object(n *node, depth int) {
	var seen map[string]int
	r.advance() // {
	r.skipSpace()
	if r.pos < len(r.src) && r.src[r.pos] == '}' {
		r.advance()
		return
	}
	for {
		r.skipSpace()
		if r.pos >= len(r.src) {
			r.failAt(n.line, n.col, "unexpected end of input: the object opened here is not closed with \"}\"")
		}
		if r.src[r.pos] != '"' {
			if r.src[r.pos] == '\'' {
				r.fail("keys take double quotes (\"), not single quotes")
			}
			w := r.word()
			if w != "" {
				r.failAt(r.line, r.col-utf8.RuneCountInString(w), "key "+strconv.Quote(w)+" needs double quotes")
			}
			r.fail("unexpected " + r.describe() + ": want a \"key\"")
		}
		kl, kc := r.line, r.col
		key := r.str()
		r.skipSpace()
		if r.pos >= len(r.src) || r.src[r.pos] != ':' {
			r.path.push(keyPart(key))
			r.fail("unexpected " + r.describe() + ": want \":\" after the key " + strconv.Quote(key))
		}
		r.advance()
		r.skipSpace()
		r.path.push(keyPart(key))
		v := r.value(depth + 1)
		// Duplicate keys: a linear scan for small objects, a map once the object grows, so a
		// hostile object with many keys stays linear.
		if len(n.members) == 16 && seen == nil {
			seen = make(map[string]int, 32)
			for i, m := range n.members {
				if _, dup := seen[m.key]; !dup {
					seen[m.key] = i
				}
			}
		}
		first := -1
		if seen != nil {
			if i, ok := seen[key]; ok {
				first = i
			} else {
				seen[key] = len(n.members)
			}
		} else {
			for i, m := range n.members {
				if m.key == key {
					first = i
					break
				}
			}
		}
		if first >= 0 {
			m := n.members[first]
			r.soft = append(r.soft, &ParseError{Line: kl, Col: kc, Path: r.path.String(),
				Message: "duplicate key " + strconv.Quote(key) + " (first at line " + strconv.Itoa(m.line) + ", col " + strconv.Itoa(m.col) + ")"})
		}
		r.path.pop()
		n.members = append(n.members, member{key: key, line: kl, col: kc, val: v})
		r.skipSpace()
		if r.pos >= len(r.src) {
			r.failAt(n.line, n.col, "unexpected end of input: the object opened here is not closed with \"}\"")
		}
		switch r.src[r.pos] {
		case ',':
			cl, cc := r.line, r.col
			r.advance()
			r.skipSpace()
			if r.pos < len(r.src) && r.src[r.pos] == '}' {
				r.soft = append(r.soft, &ParseError{Line: cl, Col: cc, Path: r.path.String(), Message: "trailing comma before \"}\""})
				r.advance()
				return
			}
		case '}':
			r.advance()
			return
		case '"':
			r.fail("missing \",\" between object members")
		default:
			r.fail("unexpected " + r.describe() + ": want \",\" or \"}\"")
		}
	}
}

func (r *jsonReader) array(n *node, depth int) {
	r.advance() // [
	r.skipSpace()
	if r.pos < len(r.src) && r.src[r.pos] == ']' {
		r.advance()
		return
	}
	for i := 0; ; i++ {
		r.skipSpace()
		if r.pos >= len(r.src) {
			r.failAt(n.line, n.col, "unexpected end of input: the list opened here is not closed with \"]\"")
		}
		r.path.push(indexPart(i))
		v := r.value(depth + 1)
		r.path.pop()
		n.elems = append(n.elems, v)
		r.skipSpace()
		if r.pos >= len(r.src) {
			r.failAt(n.line, n.col, "unexpected end of input: the list opened here is not closed with \"]\"")
		}
		switch r.src[r.pos] {
		case ',':
			cl, cc := r.line, r.col
			r.advance()
			r.skipSpace()
			if r.pos < len(r.src) && r.src[r.pos] == ']' {
				r.soft = append(r.soft, &ParseError{Line: cl, Col: cc, Path: r.path.String(), Message: "trailing comma before \"]\""})
				r.advance()
				return
			}
		case ']':
			r.advance()
			return
		default:
			if c := r.src[r.pos]; c == '"' || c == '{' || c == '[' || c >= '0' && c <= '9' {
				r.fail("missing \",\" between list elements")
			}
			r.fail("unexpected " + r.describe() + ": want \",\" or \"]\"")
		}
	}
}

func (r *jsonReader) str() string {
	sl, sc := r.line, r.col
	r.advance() // opening quote
	start := r.pos
	simple := true
	for {
		if r.pos >= len(r.src) {
			r.failAt(sl, sc, "unexpected end of input: the string opened here is not closed")
		}
		c := r.src[r.pos]
		if c == '"' {
			break
		}
		if c == '\n' {
			r.failAt(sl, sc, "the string opened here is not closed before the end of the line")
		}
		if c < 0x20 {
			r.fail("control character " + strconv.QuoteRune(rune(c)) + " inside a string: escape it")
		}
		if c == '\\' {
			simple = false
			r.advance()
			if r.pos >= len(r.src) {
				r.failAt(sl, sc, "unexpected end of input: the string opened here is not closed")
			}
			e := r.src[r.pos]
			switch e {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				r.advance()
			case 'u':
				r.advance()
				for i := 0; i < 4; i++ {
					if r.pos >= len(r.src) || !isHex(r.src[r.pos]) {
						r.fail("invalid \\u escape: want 4 hex digits")
					}
					r.advance()
				}
			default:
				r.fail("invalid escape \\" + string(rune(e)) + " in a string")
			}
			continue
		}
		if c >= utf8.RuneSelf {
			if ru, _ := utf8.DecodeRune(r.src[r.pos:]); ru == utf8.RuneError {
				r.fail("invalid UTF-8 in a string")
			}
		}
		r.advance()
	}
	raw := r.src[start:r.pos]
	r.advance() // closing quote
	if simple {
		return string(raw)
	}
	s, err := strconv.Unquote("\"" + string(raw) + "\"")
	if err != nil {
		// strconv rejects a few JSON forms (\/, lone surrogates); decode by hand.
		return unescapeJSON(raw)
	}
	return s
}

func unescapeJSON(raw []byte) string {
	var b strings.Builder
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		if c != '\\' {
			b.WriteByte(c)
			continue
		}
		i++
		switch raw[i] {
		case 'b':
			b.WriteByte('\b')
		case 'f':
			b.WriteByte('\f')
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case 't':
			b.WriteByte('\t')
		case 'u':
			v, _ := strconv.ParseUint(string(raw[i+1:i+5]), 16, 32)
			i += 4
			ru := rune(v)
			if ru >= 0xD800 && ru < 0xDC00 && i+6 < len(raw) && raw[i+1] == '\\' && raw[i+2] == 'u' {
				lo, _ := strconv.ParseUint(string(raw[i+3:i+7]), 16, 32)
				if lo >= 0xDC00 && lo < 0xE000 {
					ru = (ru-0xD800)<<10 + (rune(lo) - 0xDC00) + 0x10000
					i += 6
				}
			}
			if ru >= 0xD800 && ru < 0xE000 {
				ru = utf8.RuneError
			}
			b.WriteRune(ru)
		default:
			b.WriteByte(raw[i])
		}
	}
	return b.String()
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

func (r *jsonReader) number() string {
	start := r.pos
	if r.src[r.pos] == '-' {
		r.advance()
	}
	digits := func() int {
		n := 0
		for r.pos < len(r.src) && r.src[r.pos] >= '0' && r.src[r.pos] <= '9' {
			r.advance()
			n++
		}
		return n
	}
	if r.pos < len(r.src) && r.src[r.pos] == '0' {
		r.advance()
		if r.pos < len(r.src) && r.src[r.pos] >= '0' && r.src[r.pos] <= '9' {
			r.fail("numbers may not have leading zeros; quote it if it is an id: \"0…\"")
		}
	} else if digits() == 0 {
		r.fail("invalid number: want a digit")
	}
	if r.pos < len(r.src) && r.src[r.pos] == '.' {
		r.advance()
		if digits() == 0 {
			r.fail("invalid number: want a digit after \".\"")
		}
	}
	if r.pos < len(r.src) && (r.src[r.pos] == 'e' || r.src[r.pos] == 'E') {
		r.advance()
		if r.pos < len(r.src) && (r.src[r.pos] == '+' || r.src[r.pos] == '-') {
			r.advance()
		}
		if digits() == 0 {
			r.fail("invalid number: want a digit in the exponent")
		}
	}
	return string(r.src[start:r.pos])
}
