package stsemu

import (
	"encoding/json"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	ramclient "github.com/alibabacloud-go/ram-20150501/v2/client"

	"github.com/stsdeck/stsdeck/model"
	"github.com/stsdeck/stsdeck/model/journal"
)

func TestJournalRecordsAuthorizedRequests(t *testing.T) {
	wall := &settableClock{}
	jw, err := journal.Open(filepath.Join(t.TempDir(), "j.jsonl"), journal.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer jw.Close()
	s, err := New(Config{DataDir: t.TempDir(), Seed: testSeed(t), WallClock: wall, AuthClock: model.NewOffsetClock(wall, 0), Journal: jw})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	host := startHTTP(t, &testServer{Server: s, wall: wall}, false)
	c := newSTS(t, host, "http", issuerKeys)
	if _, err := assume(c, assumeArgs{arn: arnPrefix + "RamOssTest", session: "partner-b", ext: "not-a-journal-value"}); err != nil {
		t.Fatal(err)
	}
	_, err = assume(c, assumeArgs{arn: arnPrefix + "EcsOnly", session: "partner-b"})
	if st, code, _ := sdkErr(t, err); st != 403 || code != "NoPermission" {
		t.Fatalf("EcsOnly: %d %s", st, code)
	}
	// Refused before any decision (bad signature): not journaled.
	bad := newSTS(t, host, "http", keys{captureAK, "wrong", ""})
	if _, err := assume(bad, assumeArgs{arn: arnPrefix + "RamOssTest", session: "x1"}); err == nil {
		t.Fatal("wrong secret accepted")
	}
	if _, err := newRAM(t, host, issuerKeys).ListRoles(&ramclient.ListRolesRequest{}); err != nil {
		t.Fatal(err)
	}

	resp, err := http.Get("http://" + host + "/-/journal?since=0")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var page model.JournalPage
	if err := json.NewDecoder(resp.Body).Decode(&page); err != nil || resp.StatusCode != 200 {
		t.Fatalf("GET /-/journal: %d %v", resp.StatusCode, err)
	}
	if len(page.Records) != 3 || page.Next != 3 {
		t.Fatalf("page %+v", page)
	}
	ok, denied, list := page.Records[0], page.Records[1], page.Records[2]
	if ok.Service != "sts" || ok.Action != "sts:AssumeRole" || ok.Decision != "Allow" || ok.Resource != arnPrefix+"ramosstest" ||
		ok.Principal.Name != "sts-issuer" || ok.Principal.AccessKeyID != captureAK || ok.Statement == nil || ok.Context["acs:SourceIp"][0] != "127.0.0.1" {
		t.Errorf("AssumeRole record %+v", ok)
	}
	if _, has := ok.Context["sts:ExternalId"]; has {
		t.Error("the external id reached the journal")
	}
	if denied.Decision == "Allow" || denied.DecidedBy != "trust" {
		t.Errorf("denied record %+v", denied)
	}
	if list.Service != "ram" || list.Action != "ram:ListRoles" || list.Decision != "Allow" {
		t.Errorf("ListRoles record %+v", list)
	}
	for _, tt := range []struct{ q, want string }{{"since=x", "since: want"}, {"limit=0", "limit: want"}} {
		r, _ := http.Get("http://" + host + "/-/journal?" + tt.q)
		var e struct{ Error string }
		json.NewDecoder(r.Body).Decode(&e)
		r.Body.Close()
		if r.StatusCode != 400 || !strings.Contains(e.Error, tt.want) {
			t.Errorf("%s: %d %q", tt.q, r.StatusCode, e.Error)
		}
	}
}

func TestJournalEndpointWithoutJournal(t *testing.T) {
	ts := newTestServer(t)
	host := startHTTP(t, ts, false)
	r, err := http.Get("http://" + host + "/-/journal")
	if err != nil {
		t.Fatal(err)
	}
	defer r.Body.Close()
	var e struct{ Error string }
	json.NewDecoder(r.Body).Decode(&e)
	if r.StatusCode != 404 || !strings.Contains(e.Error, "--journal FILE") {
		t.Fatalf("%d %q", r.StatusCode, e.Error)
	}
}
