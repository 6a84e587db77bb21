package flow

import (
	"regexp"
	"strconv"
	"strings"
)

// Numbers for people: a policy's statements are numbered from 1 on screen, beside 1-based line
// numbers; the JSON paths and the `index` fields of --json output stay 0-based.

// StatementNumber is the 1-based number people see for a 0-based statement index.
func StatementNumber(index int) int { return index + 1 }

// StatementLabel names a statement for people: "statement 2" for index 1.
func StatementLabel(index int) string { return "statement " + strconv.Itoa(StatementNumber(index)) }

var pathIndex = regexp.MustCompile(`^([A-Za-z]+)\[(\d+)\]$`)

// HumanPath rewrites a finding's JSON path (0-based indexes, "Statement[1].Action[0]") with
// 1-based numbers: "statement 2, Action 1". "" (the document) stays "".
func HumanPath(path string) string {
	if path == "" {
		return ""
	}
	parts := strings.Split(path, ".")
	out := make([]string, 0, len(parts))
	for _, p := range parts {
		m := pathIndex.FindStringSubmatch(p)
		if m == nil {
			out = append(out, p)
			continue
		}
		n, err := strconv.Atoi(m[2])
		if err != nil {
			out = append(out, p)
			continue
		}
		name := m[1]
		if name == "Statement" {
			name = "statement"
		}
		out = append(out, name+" "+strconv.Itoa(n+1))
	}
	return strings.Join(out, ", ")
}
