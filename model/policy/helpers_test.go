package policy

import "reflect"

// sameStatements compares the semantic content of two policies (positions ignored).
func sameStatements(a, b *Policy) bool {
	if a.Version != b.Version || len(a.Statement) != len(b.Statement) {
		return false
	}
	for i := range a.Statement {
		x, y := a.Statement[i], b.Statement[i]
		x.Line, x.Col, y.Line, y.Col = 0, 0, 0, 0
		if !reflect.DeepEqual(x, y) {
			return false
		}
	}
	return true
}
