package policy

import (
	"bytes"
	"encoding/json"
)

// JSON prints the parsed policy back as an indented document: Version, then each statement's
// Effect, Action or NotAction, Resource, Principal and Condition, with values as strings. Sid
// is dropped. Parsing the output gives the same statements (the fuzz target checks this).
func (p *Policy) JSON() []byte {
	var b bytes.Buffer
	b.WriteString("{\n  \"Version\": ")
	writeStr(&b, p.Version)
	b.WriteString(",\n  \"Statement\": [")
	for i := range p.Statement {
		st := &p.Statement[i]
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString("\n    {\n      \"Effect\": ")
		writeStr(&b, string(st.Effect))
		if st.NotAction != nil {
			b.WriteString(",\n      \"NotAction\": ")
			writeList(&b, st.NotAction)
		} else {
			b.WriteString(",\n      \"Action\": ")
			writeList(&b, st.Action)
		}
		if st.Resource != nil {
			b.WriteString(",\n      \"Resource\": ")
			writeList(&b, st.Resource)
		}
		if pb := st.Principal; pb != nil {
			b.WriteString(",\n      \"Principal\": ")
			switch {
			case pb.Values != nil:
				writeList(&b, pb.Values)
			case pb.RAM != nil || pb.Service != nil || pb.Federated != nil:
				b.WriteByte('{')
				sep := ""
				for _, kv := range []struct {
					k string
					v []string
				}{{"RAM", pb.RAM}, {"Service", pb.Service}, {"Federated", pb.Federated}} {
					if kv.v != nil {
						b.WriteString(sep)
						writeStr(&b, kv.k)
						b.WriteString(": ")
						writeList(&b, kv.v)
						sep = ", "
					}
				}
				b.WriteByte('}')
			case pb.Any:
				b.WriteString(`"*"`)
			default:
				b.WriteString("{}")
			}
		}
		if len(st.Condition) > 0 {
			b.WriteString(",\n      \"Condition\": {")
			// Group keys under their operator, keeping first-seen order.
			var ops []string
			for _, c := range st.Condition {
				seen := false
				for _, o := range ops {
					seen = seen || o == c.Operator
				}
				if !seen {
					ops = append(ops, c.Operator)
				}
			}
			for oi, op := range ops {
				if oi > 0 {
					b.WriteByte(',')
				}
				b.WriteString("\n        ")
				writeStr(&b, op)
				b.WriteString(": {")
				n := 0
				for _, c := range st.Condition {
					if c.Operator != op {
						continue
					}
					if n > 0 {
						b.WriteString(", ")
					}
					n++
					writeStr(&b, c.Key)
					b.WriteString(": ")
					writeList(&b, c.Values)
				}
				b.WriteByte('}')
			}
			b.WriteString("\n      }")
		}
		b.WriteString("\n    }")
	}
	if len(p.Statement) > 0 {
		b.WriteString("\n  ")
	}
	b.WriteString("]\n}\n")
	return b.Bytes()
}

func writeStr(b *bytes.Buffer, s string) {
	enc, _ := json.Marshal(s)
	b.Write(enc)
}

func writeList(b *bytes.Buffer, l []string) {
	b.WriteByte('[')
	for i, s := range l {
		if i > 0 {
			b.WriteString(", ")
		}
		writeStr(b, s)
	}
	b.WriteByte(']')
}
