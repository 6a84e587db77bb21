package flow

import (
	"bytes"
	"encoding/json"
	"strings"

	"github.com/stsdeck/stsdeck/model/policy"
)

// DiffLine is one line of a line diff: Op is ' ' (both), '-' (only in the old text) or '+'
// (only in the new one).
type DiffLine struct {
	Op   byte
	Text string
}

// SamePolicy reports whether two session policy documents are the same as STS sees them
// (whitespace outside strings aside).
func SamePolicy(a, b string) bool {
	if a == b {
		return true
	}
	ma, errA := policy.Minify([]byte(a))
	mb, errB := policy.Minify([]byte(b))
	return errA == nil && errB == nil && bytes.Equal(ma, mb)
}

// PolicyDiff compares two policy documents line by line, each indented the same way first
// (so a minified and a pretty copy of one policy differ only where their content does). ""
// stands for "no session policy".
func PolicyDiff(old, new string) []DiffLine {
	return LineDiff(policyLines(old), policyLines(new))
}

func policyLines(doc string) []string {
	if strings.TrimSpace(doc) == "" {
		return []string{"(no session policy)"}
	}
	var v any
	if err := json.Unmarshal([]byte(doc), &v); err == nil {
		if out, err := json.MarshalIndent(v, "", "  "); err == nil {
			doc = string(out)
		}
	}
	return strings.Split(doc, "\n")
}

// LineDiff is a longest-common-subsequence diff of two line lists (policies are small).
func LineDiff(a, b []string) []DiffLine {
	n, m := len(a), len(b)
	lcs := make([][]int, n+1)
	for i := range lcs {
		lcs[i] = make([]int, m+1)
	}
	for i := n - 1; i >= 0; i-- {
		for j := m - 1; j >= 0; j-- {
			if a[i] == b[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	var out []DiffLine
	i, j := 0, 0
	for i < n && j < m {
		switch {
		case a[i] == b[j]:
			out = append(out, DiffLine{' ', a[i]})
			i++
			j++
		case lcs[i+1][j] >= lcs[i][j+1]:
			out = append(out, DiffLine{'-', a[i]})
			i++
		default:
			out = append(out, DiffLine{'+', b[j]})
			j++
		}
	}
	for ; i < n; i++ {
		out = append(out, DiffLine{'-', a[i]})
	}
	for ; j < m; j++ {
		out = append(out, DiffLine{'+', b[j]})
	}
	return out
}
