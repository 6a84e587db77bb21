package ui

import (
	"context"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/stsdeck/stsdeck/model"
)

// cleanStore is a bucket's keys; each client records whose credentials it acts with.
type cleanStore struct {
	mu      sync.Mutex
	keys    map[string]bool
	deleted []string
	as      []string // AccessKeyId per delete
}

type cleanObjects struct{ st *cleanStore }

func (o cleanObjects) With(c model.Credentials) ObjectClient {
	return &cleanClient{tkClient: &tkClient{}, st: o.st, who: c.AccessKeyID}
}

type cleanClient struct {
	*tkClient
	st  *cleanStore
	who string
}

func (c *cleanClient) List(_ context.Context, bucket, prefix string, max int) ([]model.ObjectInfo, error) {
	c.st.mu.Lock()
	defer c.st.mu.Unlock()
	var out []model.ObjectInfo
	for k := range c.st.keys {
		if strings.HasPrefix(k, prefix) {
			out = append(out, model.ObjectInfo{Bucket: bucket, Key: k, Size: 3})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out, nil
}

func (c *cleanClient) Delete(_ context.Context, bucket, key string) error {
	c.st.mu.Lock()
	defer c.st.mu.Unlock()
	delete(c.st.keys, key)
	c.st.deleted = append(c.st.deleted, key)
	c.st.as = append(c.st.as, c.who)
	return nil
}

func cleanScreen(t *testing.T, mode string) (*TestScreen, *cleanStore) {
	t.Helper()
	s, _, _, _ := tkTestScreen(t, mode)
	st := &cleanStore{keys: map[string]bool{
		"src/.stsdeck-probe-0123456789abcdef":  true,
		"dst/.stsdeck-probe-0123456789abcdef":  true,
		"src/stsdeck-test-20261127-100000.txt": true,
		"src/report.csv":                       true, // the partner's: never touched
	}}
	s.svc.Objects = cleanObjects{st}
	s.svc.Operator = func(context.Context) (model.Credentials, error) {
		return model.Credentials{AccessKeyID: "LTAI-operator", AccessKeySecret: "op-secret"}, nil
	}
	return s, st
}

// Item 10: x on the Test screen removes the probe's and test uploads' leftovers with the
// operator's own credentials and says what was removed.
func TestTestScreenCleanupWithOwnCredentials(t *testing.T) {
	s, st := cleanScreen(t, "sandbox")
	s.SetSize(80, 24)
	tkSend(t, s, tkKey("x"))
	sort.Strings(st.deleted)
	want := []string{"dst/.stsdeck-probe-0123456789abcdef", "src/.stsdeck-probe-0123456789abcdef", "src/stsdeck-test-20261127-100000.txt"}
	if strings.Join(st.deleted, ",") != strings.Join(want, ",") {
		t.Fatalf("deleted %v, want %v", st.deleted, want)
	}
	for _, who := range st.as {
		if who != "LTAI-operator" {
			t.Errorf("a delete used %q, not the operator's own credentials", who)
		}
	}
	if !st.keys["src/report.csv"] {
		t.Error("an object that is not a leftover was removed")
	}
	v := tkView(s)
	noCut(t, "cleanup", v, 80)
	for _, w := range []string{"removed 3 leftover(s) from oss://examplebucket", "with your own credentials", "src/.stsdeck-probe-0123456789abcdef (probe)", "src/stsdeck-test-20261127-100000.txt (test upload)", "1 other object(s) left alone"} {
		if !strings.Contains(flat(v), w) {
			t.Errorf("view lacks %q:\n%s", w, v)
		}
	}
	// Again: nothing left.
	tkSend(t, s, tkKey("x"))
	if v := flat(tkView(s)); !strings.Contains(v, "nothing to clean up") {
		t.Errorf("second x:\n%s", v)
	}
	found := false
	for _, col := range s.KeyMap().FullHelp() {
		for _, b := range col {
			if b.Help().Key == "x" {
				found = true
			}
		}
	}
	if !found {
		t.Error("help does not list x")
	}
}

// LIVE: x lists first and asks; n removes nothing, y removes.
func TestTestScreenCleanupAsksLive(t *testing.T) {
	s, st := cleanScreen(t, "live")
	tkSend(t, s, tkKey("x"))
	if len(st.deleted) != 0 {
		t.Fatalf("LIVE clean-up removed before asking: %v", st.deleted)
	}
	if v := flat(tkView(s)); !strings.Contains(v, "remove 3 leftover(s) from oss://examplebucket with your own LIVE credentials") || !s.InputFocused() {
		t.Fatalf("no question:\n%s", v)
	}
	tkSend(t, s, tkKey("n"))
	if len(st.deleted) != 0 || !strings.Contains(tkView(s), "clean-up cancelled") {
		t.Fatalf("n: deleted %v\n%s", st.deleted, tkView(s))
	}
	tkSend(t, s, tkKey("x"))
	tkSend(t, s, tkKey("y"))
	if len(st.deleted) != 3 || !strings.Contains(flat(tkView(s)), "removed 3 leftover(s)") {
		t.Fatalf("y: deleted %v\n%s", st.deleted, tkView(s))
	}
}

// Without the operator's credentials x says so (nothing is tried with the token).
func TestTestScreenCleanupWithoutOperator(t *testing.T) {
	s, st := cleanScreen(t, "sandbox")
	s.svc.Operator = nil
	tkSend(t, s, tkKey("x"))
	if len(st.deleted) != 0 || !strings.Contains(flat(tkView(s)), "clean-up needs your own credentials") {
		t.Fatalf("deleted %v\n%s", st.deleted, tkView(s))
	}
}
