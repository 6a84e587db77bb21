package flow

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/stsdeck/stsdeck/model"
	"github.com/stsdeck/stsdeck/model/issuereq"
)

var issueNow = time.Date(2026, 11, 27, 3, 0, 0, 0, time.UTC)

const (
	issueRole   = "acs:ram::1234567890123456:role/ramosstest"
	issuePolicy = `{"Version":"1","Statement":[{"Effect":"Allow","Action":"oss:PutObject","Resource":"acs:oss:*:*:examplebucket/src/*"}]}`
)

type fakeIssuer struct {
	reqs []model.IssueRequest
	err  error
}

func (f *fakeIssuer) AssumeRole(_ context.Context, req model.IssueRequest) (model.Credentials, error) {
	f.reqs = append(f.reqs, req)
	if f.err != nil {
		return model.Credentials{}, f.err
	}
	return model.Credentials{AccessKeyID: "STS.key", AccessKeySecret: "SECRET", SecurityToken: "TOKEN",
		Expiration: issueNow.Add(time.Hour).In(time.FixedZone("CST", 8*3600)), RoleARN: req.RoleARN, Region: "cn-hangzhou"}, nil
}

type fakeIdentity struct{ asked *int }

func (f fakeIdentity) Whoami(context.Context) (model.Caller, error) {
	*f.asked++
	return model.Caller{ARN: "acs:ram::1234567890123456:user/u"}, nil
}

type fakeAudit struct {
	recs []model.AuditRecord
	err  error
}

func (f *fakeAudit) Append(r model.AuditRecord) error {
	if f.err != nil {
		return f.err
	}
	f.recs = append(f.recs, r)
	return nil
}

func (f *fakeAudit) List() ([]model.AuditRecord, []string, error) { return f.recs, nil, nil }

func TestIssueRecordsWhatWasIssued(t *testing.T) {
	iss, aud, asked := &fakeIssuer{}, &fakeAudit{}, 0
	req := model.IssueRequest{RoleARN: issueRole, SessionName: "alice", Duration: 30 * time.Minute, ExternalID: "x+y", Policy: issuePolicy}
	res, err := Issue(context.Background(), IssuePorts{Issuer: iss, Audit: aud, Identity: fakeIdentity{&asked}},
		IssueInput{Request: req, Mode: "sandbox", Region: "cn-shanghai", Now: func() time.Time { return issueNow }})
	if err != nil {
		t.Fatal(err)
	}
	if len(iss.reqs) != 1 || iss.reqs[0] != req {
		t.Fatalf("sent %+v", iss.reqs)
	}
	r := res.Record
	sum := sha256.Sum256([]byte(issuePolicy))
	if len(aud.recs) != 1 || !reflect.DeepEqual(aud.recs[0], r) {
		t.Fatalf("recorded %+v, returned %+v", aud.recs, r)
	}
	if len(r.ID) != 16 || r.Time != issueNow || r.Caller != "acs:ram::1234567890123456:user/u" || asked != 1 ||
		r.RoleARN != issueRole || r.SessionName != "alice" || r.DurationSeconds != 1800 ||
		r.Expiration.Location() != time.UTC || !r.Expiration.Equal(issueNow.Add(time.Hour)) ||
		r.AccessKeyID != "STS.key" || !r.ExternalIDUsed || r.SessionPolicy != issuePolicy ||
		r.PolicyDigest != "sha256:"+hex.EncodeToString(sum[:]) || r.Mode != "sandbox" || r.Region != "cn-hangzhou" {
		t.Fatalf("record %+v", r)
	}
	if strings.Contains(strings.ToLower(r.SessionPolicy+r.ID+r.AccessKeyID), "secret") {
		t.Fatal("the record holds the secret")
	}
}

func TestIssueKnownCallerAndDefaults(t *testing.T) {
	asked := 0
	res, err := Issue(context.Background(), IssuePorts{Issuer: &fakeIssuer{}, Identity: fakeIdentity{&asked}},
		IssueInput{Request: model.IssueRequest{RoleARN: issueRole, SessionName: "alice"}, Caller: "known"})
	if err != nil {
		t.Fatal(err)
	}
	if asked != 0 || res.Record.Caller != "known" || res.Record.DurationSeconds != 3600 || res.Record.PolicyDigest != "" {
		t.Fatalf("record %+v, whoami asked %d times", res.Record, asked)
	}
}

func TestIssueRefusesBeforeSending(t *testing.T) {
	iss := &fakeIssuer{}
	_, err := Issue(context.Background(), IssuePorts{Issuer: iss},
		IssueInput{Request: model.IssueRequest{RoleARN: issueRole, SessionName: "a", Duration: 2 * time.Hour},
			Role: model.Role{MaxSessionDuration: time.Hour}})
	var ir *issuereq.InvalidRequestError
	if !errors.As(err, &ir) || len(ir.Problems) != 2 || ir.Problems[0].Field != "RoleSessionName" || ir.Problems[1].Field != "DurationSeconds" {
		t.Fatalf("err = %v", err)
	}
	if len(iss.reqs) != 0 {
		t.Fatal("sent anyway")
	}
}

func TestIssueWarningsAndExternalID(t *testing.T) {
	trust := `{"Version":"1","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Principal":{"RAM":["acs:ram::1:root"]},"Condition":{"StringEquals":{"sts:ExternalId":"abc"}}}]}`
	warn := `{"Version":"1","Statement":[{"Effect":"Allow","Action":"oss:PutObject","Resource":"*"}]}`
	iss := &fakeIssuer{err: &model.APIError{Code: "NoPermission"}}
	res, err := Issue(context.Background(), IssuePorts{Issuer: iss},
		IssueInput{Request: model.IssueRequest{RoleARN: issueRole, SessionName: "alice", Policy: warn}, Role: model.Role{TrustPolicy: trust}})
	var ae *model.APIError
	if !errors.As(err, &ae) || len(iss.reqs) != 1 {
		t.Fatalf("err = %v, sent %d", err, len(iss.reqs))
	}
	if !res.ExternalIDMissing {
		t.Error("external id requirement not reported")
	}
	for _, w := range res.Warnings {
		if !w.Warning {
			t.Errorf("blocking problem among the warnings: %v", w)
		}
	}
}

func TestIssueAuditFailureKeepsToken(t *testing.T) {
	res, err := Issue(context.Background(), IssuePorts{Issuer: &fakeIssuer{}, Audit: &fakeAudit{err: errors.New("disk full")}},
		IssueInput{Request: model.IssueRequest{RoleARN: issueRole, SessionName: "alice"}})
	if err != nil || res.AuditErr == nil || res.Creds.AccessKeyID != "STS.key" {
		t.Fatalf("res %+v, err %v", res, err)
	}
}

func TestIssueNoIssuer(t *testing.T) {
	if _, err := Issue(context.Background(), IssuePorts{}, IssueInput{Request: model.IssueRequest{RoleARN: issueRole, SessionName: "alice"}}); !errors.Is(err, ErrNoIssuer) {
		t.Fatalf("err = %v", err)
	}
}

func TestAuditRecordRegionFallback(t *testing.T) {
	r := AuditRecord(model.IssueRequest{RoleARN: issueRole, SessionName: "a"}, model.Credentials{}, issueNow, "live", "cn-beijing", "")
	if r.Region != "cn-beijing" || r.Mode != "live" || r.ID == "" {
		t.Fatalf("record %+v", r)
	}
}
