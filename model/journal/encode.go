package journal

import (
	"slices"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/stsdeck/stsdeck/model"
)

// appendRecord appends r as one JSON object with the given seq: the encoding/json form of
// model.DecisionRecord byte for byte (a test holds it to that), so Read decodes it with
// encoding/json. Written by hand: the sandbox journals every request, and reflection-based
// marshalling cost several times the write itself.
func appendRecord(b []byte, seq uint64, r *model.DecisionRecord) []byte {
	b = append(b, `{"seq":`...)
	b = strconv.AppendUint(b, seq, 10)
	b = append(b, ',')
	return appendBody(b, r)
}

// appendBody appends the fields after seq and the closing brace.
func appendBody(b []byte, r *model.DecisionRecord) []byte {
	b = append(b, `"time":"`...)
	b = r.Time.AppendFormat(b, time.RFC3339Nano)
	b = append(b, '"')
	b = field(b, "service", r.Service, false)
	b = field(b, "request_id", r.RequestID, false)
	b = field(b, "operation", r.Operation, false)
	p := &r.Principal
	b = append(b, `,"principal":{"type":`...)
	b = appendString(b, p.Type)
	b = field(b, "arn", p.ARN, true)
	b = field(b, "account_id", p.AccountID, true)
	b = field(b, "name", p.Name, true)
	b = field(b, "session", p.Session, true)
	b = field(b, "access_key_id", p.AccessKeyID, true)
	b = append(b, '}')
	b = field(b, "action", r.Action, false)
	b = field(b, "resource", r.Resource, false)
	if len(r.Context) > 0 {
		b = append(b, `,"context":{`...)
		keys := make([]string, 0, 8)
		for k := range r.Context {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for i, k := range keys {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendString(b, k)
			b = append(b, ':')
			vs := r.Context[k]
			if vs == nil {
				b = append(b, "null"...)
				continue
			}
			b = append(b, '[')
			for j, v := range vs {
				if j > 0 {
					b = append(b, ',')
				}
				b = appendString(b, v)
			}
			b = append(b, ']')
		}
		b = append(b, '}')
	}
	b = field(b, "decision", r.Decision, false)
	b = field(b, "decided_by", r.DecidedBy, true)
	if len(r.Layers) > 0 {
		b = append(b, `,"layers":{`...)
		keys := make([]string, 0, 4)
		for k := range r.Layers {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for i, k := range keys {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendString(b, k)
			b = append(b, ':')
			b = appendString(b, r.Layers[k])
		}
		b = append(b, '}')
	}
	if st := r.Statement; st != nil {
		b = append(b, `,"statement":{"layer":`...)
		b = appendString(b, st.Layer)
		b = append(b, `,"policy":`...)
		b = appendString(b, st.Policy)
		b = append(b, `,"index":`...)
		b = strconv.AppendInt(b, int64(st.Index), 10)
		b = append(b, `,"line":`...)
		b = strconv.AppendInt(b, int64(st.Line), 10)
		b = append(b, `,"effect":`...)
		b = appendString(b, st.Effect)
		b = append(b, '}')
	}
	if r.HadSessionPolicy {
		b = append(b, `,"had_session_policy":true`...)
	}
	return append(b, '}')
}

func field(b []byte, name, v string, omitEmpty bool) []byte {
	if omitEmpty && v == "" {
		return b
	}
	b = append(b, ',', '"')
	b = append(b, name...)
	b = append(b, '"', ':')
	return appendString(b, v)
}

const hexDigits = "0123456789abcdef"

// appendString appends s as a JSON string; invalid UTF-8 becomes U+FFFD (as encoding/json).
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
