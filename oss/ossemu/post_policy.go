package ossemu

// The POST policy of PostObject: the base64 JSON document a form carries in its policy field,
// parsed (ParsePostPolicy) and checked against a request (CheckConditions). Pure functions; the
// errors are the cloud's InvalidPolicyDocument / AccessDenied answers with the EC of the
// cloud's page for each case where one exists (0006-*; the others are marked picked).

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// PostPolicy is a parsed POST policy.
type PostPolicy struct {
	Expiration time.Time
	Conditions []PostCondition
}

// PostCondition is one entry of conditions: {"field": "value"} (Op "eq") or
// [op, "$field", value...]. For content-length-range, Min and Max are set and Field is "".
type PostCondition struct {
	Op     string   // eq, starts-with, in, not-in, content-length-range
	Field  string   // lower-case, without "$"
	Value  string   // eq, starts-with
	Values []string // in, not-in
	Min    int64
	Max    int64
	src    string // as the cloud quotes it in a failure message
}

// maxPolicyConditions bounds the work one policy can cause (picked; the cloud states none).
const maxPolicyConditions = 1000

func policyErr(ec, msg, why string) *ossError {
	return apiErr("InvalidPolicyDocument", "Invalid Policy: "+msg).withEC(ec).check("post-policy", why)
}

// ParsePostPolicy decodes the policy form field (base64 of UTF-8 JSON) and checks its grammar.
func ParsePostPolicy(b64 string) (*PostPolicy, *ossError) {
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(b64))
	if err != nil {
		return nil, policyErr("0006-00000201", "Invalid Base64.", "the policy field is not base64") // message picked
	}
	return parsePolicyJSON(raw)
}

func parsePolicyJSON(raw []byte) (*PostPolicy, *ossError) {
	var doc map[string]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(raw))
	if err := dec.Decode(&doc); err != nil || doc == nil {
		msg := "not a JSON object"
		if err != nil {
			msg = jsonDetail(err)
		}
		return nil, policyErr("0006-00000201", "Invalid JSON: "+msg, "the policy is not a JSON object")
	}
	if dec.More() {
		return nil, policyErr("0006-00000201", "Invalid JSON: unexpected data after the policy object", "data after the policy's JSON object")
	}
	p := &PostPolicy{}
	expRaw, ok := doc["expiration"]
	if !ok {
		return nil, policyErr("0006-00000208", "Policy missing expiration.", "the policy has no expiration") // message picked
	}
	var exp string
	if err := json.Unmarshal(expRaw, &exp); err != nil {
		return nil, policyErr("0006-00000212", "Invalid expiration: want an ISO 8601 GMT time string.", "expiration is not a string") // EC picked
	}
	if exp == "" {
		return nil, policyErr("0006-00000211", "Policy expiration is empty.", "expiration is an empty string") // message picked
	}
	t, ok := parseISO8601(exp)
	if !ok {
		return nil, policyErr("0006-00000212", "Invalid expiration: "+strconv.Quote(short(exp))+" is not an ISO 8601 GMT time such as 2023-02-19T13:19:00.000Z.", "expiration is not ISO 8601") // EC picked
	}
	p.Expiration = t
	condRaw, ok := doc["conditions"]
	if !ok {
		return nil, policyErr("0006-00000209", "Policy missing conditions.", "the policy has no conditions") // EC and message picked
	}
	var conds []json.RawMessage
	if err := json.Unmarshal(condRaw, &conds); err != nil || conds == nil {
		return nil, policyErr("0006-00000210", "Invalid conditions: want a JSON array.", "conditions is not an array") // EC picked
	}
	if len(conds) > maxPolicyConditions {
		return nil, policyErr("0006-00000210", fmt.Sprintf("Too many conditions (at most %d).", maxPolicyConditions), "too many conditions") // EC and limit picked
	}
	for i, c := range conds {
		pc, e := parseCondition(c)
		if e != nil {
			e.Why = fmt.Sprintf("conditions[%d]: %s", i, e.Why)
			return nil, e
		}
		p.Conditions = append(p.Conditions, pc)
	}
	return p, nil
}

func jsonDetail(err error) string {
	switch e := err.(type) {
	case *json.SyntaxError:
		return fmt.Sprintf("%s at offset %d", e.Error(), e.Offset)
	case *json.UnmarshalTypeError:
		return "not a JSON object"
	}
	return "unexpected end of JSON"
}

// parseISO8601 accepts the forms the docs and SDKs write: 2023-02-19T13:19:00.000Z,
// 2023-02-19T13:19:00Z and RFC 3339 with an offset.
func parseISO8601(s string) (time.Time, bool) {
	for _, layout := range []string{"2006-01-02T15:04:05.000Z", time.RFC3339Nano} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

func short(s string) string {
	if len(s) > 64 {
		return s[:64] + "…"
	}
	return strings.ToValidUTF8(s, "?")
}

func parseCondition(raw json.RawMessage) (PostCondition, *ossError) {
	raw = bytes.TrimSpace(raw)
	if len(raw) > 0 && raw[0] == '{' {
		var m map[string]json.RawMessage
		if err := json.Unmarshal(raw, &m); err != nil {
			return PostCondition{}, policyErr("0006-00000201", "Invalid JSON: "+jsonDetail(err), "a condition object is not valid JSON")
		}
		if len(m) != 1 {
			// Message as the cloud's troubleshooting page quotes it; EC picked.
			return PostCondition{}, policyErr("0006-00000214", "Invalid Simple-Condition: Simple-Conditions must have exactly one property specified.", "a {field: value} condition with other than one property")
		}
		for k, v := range m {
			var s string
			if err := json.Unmarshal(v, &s); err != nil {
				return PostCondition{}, policyErr("0006-00000218", "Invalid Simple-Condition: the value of "+strconv.Quote(short(k))+" must be a string.", "a {field: value} condition with a non-string value") // EC shared with invalid values
			}
			f := strings.ToLower(strings.TrimPrefix(k, "$"))
			return PostCondition{Op: "eq", Field: f, Value: s, src: `["eq", "$` + f + `", ` + strconv.Quote(s) + `]`}, nil
		}
	}
	var parts []json.RawMessage
	if err := json.Unmarshal(raw, &parts); err != nil {
		return PostCondition{}, policyErr("0006-00000215", "Invalid condition: want a {field: value} object or an [operator, field, value] array.", "a condition that is neither an object nor an array") // EC picked
	}
	var op string
	if len(parts) == 0 || json.Unmarshal(parts[0], &op) != nil {
		return PostCondition{}, policyErr("0006-00000216", "Invalid condition: missing matching mode (eq, starts-with, in, not-in, content-length-range).", "a condition without its matching mode")
	}
	op = strings.ToLower(op)
	switch op {
	case "content-length-range":
		if len(parts) != 3 {
			return PostCondition{}, policyErr("0006-00000218", "Invalid content-length-range: want [\"content-length-range\", min-len, max-len].", "content-length-range without exactly two bounds")
		}
		lo, e := rangeBound(parts[1])
		if e != nil {
			return PostCondition{}, e
		}
		hi, e := rangeBound(parts[2])
		if e != nil {
			return PostCondition{}, e
		}
		if hi < lo {
			return PostCondition{}, policyErr("0006-00000219", "Invalid content-length-range: max-len must be greater than or equal to min-len.", "content-length-range max below min")
		}
		return PostCondition{Op: op, Min: lo, Max: hi, src: fmt.Sprintf(`["content-length-range", %d, %d]`, lo, hi)}, nil
	case "eq", "starts-with", "in", "not-in":
	default:
		return PostCondition{}, policyErr("0006-00000216", "Invalid condition: unknown matching mode "+strconv.Quote(short(op))+".", "a condition with an unknown matching mode")
	}
	if len(parts) != 3 {
		return PostCondition{}, policyErr("0006-00000218", "Invalid condition: "+op+" takes a field and one value.", op+" with other than two arguments")
	}
	var field string
	if json.Unmarshal(parts[1], &field) != nil || strings.TrimPrefix(field, "$") == "" {
		return PostCondition{}, policyErr("0006-00000218", "Invalid condition: the field of "+op+" must be a string such as \"$key\".", op+" without a field name")
	}
	f := strings.ToLower(strings.TrimPrefix(field, "$"))
	c := PostCondition{Op: op, Field: f}
	switch op {
	case "eq", "starts-with":
		if json.Unmarshal(parts[2], &c.Value) != nil {
			return PostCondition{}, policyErr("0006-00000218", "Invalid condition: the value of "+op+" must be a string.", op+" with a non-string value")
		}
		c.src = `["` + op + `", "$` + f + `", ` + strconv.Quote(c.Value) + `]`
	default:
		if json.Unmarshal(parts[2], &c.Values) != nil || c.Values == nil {
			return PostCondition{}, policyErr("0006-00000224", "Invalid condition: the value of "+op+" must be a list of strings.", op+" without a list of strings")
		}
		q := make([]string, len(c.Values))
		for i, v := range c.Values {
			q[i] = strconv.Quote(v)
		}
		c.src = `["` + op + `", "$` + f + `", [` + strings.Join(q, ", ") + `]]`
	}
	return c, nil
}

// rangeBound reads one bound of content-length-range: a non-negative integer.
func rangeBound(raw json.RawMessage) (int64, *ossError) {
	raw = bytes.TrimSpace(raw)
	if len(raw) > 0 && (raw[0] == '[' || raw[0] == '{') {
		return 0, policyErr("0006-00000223", "Invalid content-length-range: the bounds must be integers.", "a content-length-range bound is an array or object")
	}
	var n json.Number
	if err := json.Unmarshal(raw, &n); err != nil {
		return 0, policyErr("0006-00000221", "Invalid content-length-range: the bounds must be integers.", "a content-length-range bound is not a number")
	}
	v, err := n.Int64()
	if err != nil {
		f, ferr := n.Float64()
		if ferr != nil || f != math.Trunc(f) || f > math.MaxInt64 {
			return 0, policyErr("0006-00000221", "Invalid content-length-range: the bounds must be integers.", "a content-length-range bound is not an integer")
		}
		v = int64(f)
	}
	if v < 0 {
		return 0, policyErr("0006-00000221", "Invalid content-length-range: the bounds must not be negative.", "a negative content-length-range bound")
	}
	return v, nil
}

// PostRequest is what conditions are checked against: the form's fields (lower-case names,
// first value of each), the bucket and the object key (after ${filename}).
type PostRequest struct {
	Bucket string
	Key    string
	Fields map[string]string
}

func (r *PostRequest) value(field string) string {
	switch field {
	case "bucket":
		return r.Bucket
	case "key":
		return r.Key
	}
	return r.Fields[field]
}

// CheckConditions checks every condition but content-length-range (the size is known only
// once the file is read: SizeRange) against r, in order.
func (p *PostPolicy) CheckConditions(r *PostRequest) *ossError {
	for _, c := range p.Conditions {
		v := r.value(c.Field)
		ok := true
		switch c.Op {
		case "eq":
			ok = v == c.Value
		case "starts-with":
			ok = strings.HasPrefix(v, c.Value)
		case "in":
			ok = contains(c.Values, v)
		case "not-in":
			ok = !contains(c.Values, v)
		}
		if !ok {
			return conditionFailed(c)
		}
	}
	return nil
}

func contains(vs []string, v string) bool {
	for _, x := range vs {
		if x == v {
			return true
		}
	}
	return false
}

func conditionFailed(c PostCondition) *ossError {
	return apiErr("AccessDenied", "Invalid according to Policy: Policy Condition failed: "+c.src).withEC("0006-00000227").
		check("post-policy", "the form does not satisfy "+c.src)
}

// SizeRange returns the tightest content-length-range (ok=false: none).
func (p *PostPolicy) SizeRange() (lo, hi int64, ok bool) {
	lo, hi = 0, math.MaxInt64
	for _, c := range p.Conditions {
		if c.Op == "content-length-range" {
			lo, hi, ok = max(lo, c.Min), min(hi, c.Max), true
		}
	}
	return lo, hi, ok
}

// Has reports whether some eq condition names field (V4 forms must sign their own fields).
func (p *PostPolicy) Has(field string) bool {
	for _, c := range p.Conditions {
		if c.Field == field && c.Op == "eq" {
			return true
		}
	}
	return false
}
