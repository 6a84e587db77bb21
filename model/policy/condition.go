package policy

import (
	"math"
	"net/netip"
	"strconv"
	"strings"
	"time"
)

type opCategory uint8

const (
	catString opCategory = iota
	catNumeric
	catDate
	catBool
	catIP
)

type cmpKind uint8

const (
	cmpEquals cmpKind = iota
	cmpEqualsFold
	cmpLike
	cmpLess
	cmpLessEq
	cmpGreater
	cmpGreaterEq
)

// opInfo describes a condition operator: its value category, the comparison, and whether it
// is negated ("Not" operators hold when no value pair compares true).
type opInfo struct {
	cat opCategory
	cmp cmpKind
	neg bool
}

var operators = map[string]opInfo{
	"StringEquals":              {catString, cmpEquals, false},
	"StringNotEquals":           {catString, cmpEquals, true},
	"StringEqualsIgnoreCase":    {catString, cmpEqualsFold, false},
	"StringNotEqualsIgnoreCase": {catString, cmpEqualsFold, true},
	"StringLike":                {catString, cmpLike, false},
	"StringNotLike":             {catString, cmpLike, true},
	"NumericEquals":             {catNumeric, cmpEquals, false},
	"NumericNotEquals":          {catNumeric, cmpEquals, true},
	"NumericLessThan":           {catNumeric, cmpLess, false},
	"NumericLessThanEquals":     {catNumeric, cmpLessEq, false},
	"NumericGreaterThan":        {catNumeric, cmpGreater, false},
	"NumericGreaterThanEquals":  {catNumeric, cmpGreaterEq, false},
	"DateEquals":                {catDate, cmpEquals, false},
	"DateNotEquals":             {catDate, cmpEquals, true},
	"DateLessThan":              {catDate, cmpLess, false},
	"DateLessThanEquals":        {catDate, cmpLessEq, false},
	"DateGreaterThan":           {catDate, cmpGreater, false},
	"DateGreaterThanEquals":     {catDate, cmpGreaterEq, false},
	"Bool":                      {catBool, cmpEquals, false},
	"IpAddress":                 {catIP, cmpEquals, false},
	"NotIpAddress":              {catIP, cmpEquals, true},
}

var operatorNames = []string{
	"StringEquals", "StringNotEquals", "StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase", "StringLike", "StringNotLike",
	"NumericEquals", "NumericNotEquals", "NumericLessThan", "NumericLessThanEquals", "NumericGreaterThan", "NumericGreaterThanEquals",
	"DateEquals", "DateNotEquals", "DateLessThan", "DateLessThanEquals", "DateGreaterThan", "DateGreaterThanEquals",
	"Bool", "IpAddress", "NotIpAddress",
}

// checkValue returns "" when v is a valid policy value for the operator, else a message.
func (o opInfo) checkValue(v string) string {
	switch o.cat {
	case catNumeric:
		if _, ok := parseNumber(v); !ok {
			return "want a number, got " + strconv.Quote(v)
		}
	case catDate:
		if _, ok := parseDate(v); !ok {
			return "want an ISO 8601 date such as \"2026-01-02T15:04:05Z\", got " + strconv.Quote(v)
		}
	case catBool:
		if _, ok := parseBool(v); !ok {
			return "want true or false, got " + strconv.Quote(v)
		}
	case catIP:
		if _, ok := parseIPPattern(v); !ok {
			return "want an IP address or CIDR block such as \"10.0.0.0/8\", got " + strconv.Quote(v)
		}
	}
	return ""
}

func parseNumber(s string) (float64, bool) {
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, false
	}
	return f, true
}

var dateLayouts = []string{time.RFC3339Nano, "2006-01-02T15:04:05Z0700", "2006-01-02T15:04:05", "2006-01-02"}

// parseDate reads an ISO 8601 date-time (zone-less forms are UTC) into Unix nanoseconds.
func parseDate(s string) (int64, bool) {
	for _, l := range dateLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t.UnixNano(), true
		}
	}
	// Epoch seconds are accepted by some clouds; RAM documents ISO 8601 only.
	return 0, false
}

func parseBool(s string) (bool, bool) {
	switch {
	case strings.EqualFold(s, "true"):
		return true, true
	case strings.EqualFold(s, "false"):
		return false, true
	}
	return false, false
}

// parseIPPattern reads an IP, a CIDR block, or an IPv4 address with trailing "*" octets
// ("10.0.*.*", "10.0.*"), as OSS documents.
func parseIPPattern(s string) (netip.Prefix, bool) {
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return netip.Prefix{}, false
		}
		return p.Masked(), true
	}
	if strings.HasSuffix(s, "*") {
		parts := strings.Split(s, ".")
		if len(parts) > 4 {
			return netip.Prefix{}, false
		}
		var oct [4]byte
		bits, star := 0, false
		for i, p := range parts {
			if p == "*" {
				star = true
				continue
			}
			if star {
				return netip.Prefix{}, false // "*" only at the end
			}
			n, err := strconv.Atoi(p)
			if err != nil || n < 0 || n > 255 || p != strconv.Itoa(n) {
				return netip.Prefix{}, false
			}
			oct[i] = byte(n)
			bits += 8
		}
		return netip.PrefixFrom(netip.AddrFrom4(oct), bits), true
	}
	a, err := netip.ParseAddr(s)
	if err != nil || a.Zone() != "" {
		return netip.Prefix{}, false
	}
	return netip.PrefixFrom(a, a.BitLen()), true
}

// ccond is a compiled condition.
type ccond struct {
	op       opInfo
	key      string // canonical key used for the context lookup
	strs     []string
	nums     []float64
	dates    []int64
	bools    []bool
	prefixes []netip.Prefix
	broken   bool // a value did not parse (hand-built policy): never matches
}

func compileCondition(c Condition) ccond {
	op, ok := operators[c.Operator]
	cc := ccond{op: op, key: canonicalKey(c.Key)}
	if !ok {
		cc.broken = true
		return cc
	}
	for _, v := range c.Values {
		switch op.cat {
		case catString:
			cc.strs = append(cc.strs, v)
		case catNumeric:
			f, ok := parseNumber(v)
			cc.broken = cc.broken || !ok
			cc.nums = append(cc.nums, f)
		case catDate:
			t, ok := parseDate(v)
			cc.broken = cc.broken || !ok
			cc.dates = append(cc.dates, t)
		case catBool:
			b, ok := parseBool(v)
			cc.broken = cc.broken || !ok
			cc.bools = append(cc.bools, b)
		case catIP:
			p, ok := parseIPPattern(v)
			cc.broken = cc.broken || !ok
			cc.prefixes = append(cc.prefixes, p)
		}
	}
	return cc
}

// holds evaluates the condition against the request values of its key (present, non-nil).
// Positive operators hold when some request value compares true with some policy value;
// negated ones hold when no pair compares true. A request value of the wrong type (a number
// key carrying "abc") makes the condition false either way.
func (c *ccond) holds(vals []string) bool {
	if c.broken || len(vals) == 0 {
		return false
	}
	any := false
	for _, rv := range vals {
		m, ok := c.matchOne(rv)
		if !ok {
			return false
		}
		if m {
			any = true
		}
	}
	if c.op.neg {
		return !any
	}
	return any
}

// matchOne reports whether request value rv compares true with any policy value; ok is false
// when rv is not of the operator's type.
func (c *ccond) matchOne(rv string) (match, ok bool) {
	switch c.op.cat {
	case catString:
		for _, pv := range c.strs {
			switch c.op.cmp {
			case cmpEquals:
				if rv == pv {
					return true, true
				}
			case cmpEqualsFold:
				if strings.EqualFold(rv, pv) {
					return true, true
				}
			case cmpLike:
				if globMatch(pv, rv, false) {
					return true, true
				}
			}
		}
		return false, true
	case catNumeric:
		f, ok := parseNumber(rv)
		if !ok {
			return false, false
		}
		for _, pv := range c.nums {
			if compareOrdered(c.op.cmp, f, pv) {
				return true, true
			}
		}
		return false, true
	case catDate:
		t, ok := parseDate(rv)
		if !ok {
			return false, false
		}
		for _, pv := range c.dates {
			if compareOrdered(c.op.cmp, t, pv) {
				return true, true
			}
		}
		return false, true
	case catBool:
		b, ok := parseBool(rv)
		if !ok {
			return false, false
		}
		for _, pv := range c.bools {
			if b == pv {
				return true, true
			}
		}
		return false, true
	case catIP:
		a, err := netip.ParseAddr(rv)
		if err != nil {
			return false, false
		}
		a = a.Unmap()
		for _, p := range c.prefixes {
			if p.Contains(a) {
				return true, true
			}
		}
		return false, true
	}
	return false, false
}

func compareOrdered[T float64 | int64](k cmpKind, a, b T) bool {
	switch k {
	case cmpEquals:
		return a == b
	case cmpLess:
		return a < b
	case cmpLessEq:
		return a <= b
	case cmpGreater:
		return a > b
	case cmpGreaterEq:
		return a >= b
	}
	return false
}
