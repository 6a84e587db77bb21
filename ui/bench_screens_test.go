package ui

import (
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"github.com/stsdeck/stsdeck/model"
)

// The screens' View() at 200×60, each reported against a baseline measured in the same run:
// laying out a 200×60 block of plain text with lipgloss (what any frame costs at least).

var (
	tkBaseOnce sync.Once
	tkBaseNs   float64
)

func tkBaselineBlock() string {
	line := strings.Repeat("x", 200)
	ls := make([]string, 60)
	for i := range ls {
		ls[i] = line
	}
	return strings.Join(ls, "\n")
}

func tkBaseline(b *testing.B) float64 {
	tkBaseOnce.Do(func() {
		block := tkBaselineBlock()
		st := lipgloss.NewStyle().Width(200).MaxHeight(60)
		// Timed in a plain loop (testing.Benchmark cannot nest inside a running benchmark):
		// at least 50 runs and 200 ms.
		n := 0
		start := time.Now()
		for n < 50 || time.Since(start) < 200*time.Millisecond {
			_ = ansi.StringWidth(st.Render(block))
			n++
		}
		tkBaseNs = float64(time.Since(start).Nanoseconds()) / float64(n)
	})
	return tkBaseNs
}

func tkBenchView(b *testing.B, s Screen) {
	base := tkBaseline(b)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		_ = s.View()
	}
	b.StopTimer()
	ns := float64(b.Elapsed().Nanoseconds()) / float64(b.N)
	b.ReportMetric(ns/base, "x-baseline")
}

func BenchmarkViewBaseline(b *testing.B) {
	block := tkBaselineBlock()
	st := lipgloss.NewStyle().Width(200).MaxHeight(60)
	for i := 0; i < b.N; i++ {
		_ = ansi.StringWidth(st.Render(block))
	}
}

func BenchmarkIssueView(b *testing.B) {
	for _, color := range []bool{false, true} {
		name := "color"
		if color {
			name = "nocolor"
		}
		b.Run(name, func(b *testing.B) {
			svc, _, _, _ := tkServices()
			s := NewIssueScreen(svc, NewStyles(color), func() time.Time { return tkNow })
			s.SetSize(200, 60)
			tkSend(b, s, tkRoleMsg(time.Hour))
			tkSend(b, s, PolicyChangedMsg{Doc: tkPolicy, Bucket: "examplebucket", Prefix: "src/", Valid: true})
			tkSend(b, s, tkKey("enter"))
			tkSend(b, s, tkKey("r"))
			tkSend(b, s, TickMsg{Now: tkNow.Add(10 * time.Minute)})
			tkBenchView(b, s)
		})
	}
}

func BenchmarkTestView(b *testing.B) {
	svc, _, _, cl := tkServices()
	svc.Mode = "sandbox"
	cl.probe = tkProbeReport()
	s := NewTestScreen(svc, NewStyles(false), func() time.Time { return tkNow })
	s.SetSize(200, 60)
	tkSend(b, s, RoleSelectedMsg{Role: tkRoleWithPolicies()})
	tkSend(b, s, PolicyChangedMsg{Doc: tkPolicy, Bucket: "examplebucket", Prefix: "src/", Valid: true})
	creds := model.Credentials{AccessKeyID: "STS.k", AccessKeySecret: tkSecret, SecurityToken: tkToken, Expiration: tkNow.Add(time.Hour)}
	tkSend(b, s, TokenIssuedMsg{Creds: creds, Request: model.IssueRequest{RoleARN: tkRole, SessionName: "a", Policy: tkPolicy}})
	tkSend(b, s, tkKey("u"))
	if s.probe.report == nil {
		b.Fatal("no probe report")
	}
	b.Run("grid", func(b *testing.B) { tkBenchView(b, s) })
	s.explainRow(1)
	b.Run("explain", func(b *testing.B) { tkBenchView(b, s) })
}

func BenchmarkHistoryView(b *testing.B) {
	svc, _, aud, _ := tkServices()
	base := tkHistoryRecords()
	for i := 0; i < 500; i++ { // a long audit log
		r := base[i%len(base)]
		r.ID = r.ID + "-" + strings.Repeat("x", i%7) + string(rune('a'+i%26)) + time.Duration(i).String()
		r.Time = r.Time.Add(time.Duration(i) * time.Minute)
		aud.recs = append(aud.recs, r)
	}
	s := NewHistoryScreen(svc, NewStyles(false), func() time.Time { return tkNow })
	s.SetSize(200, 60)
	tkRun(b, s, s.Init(), 0)
	b.Run("table", func(b *testing.B) { tkBenchView(b, s) })
	b.Run("tick", func(b *testing.B) {
		// The app sends a TickMsg every second: the state refresh must stay cheap too.
		for i := 0; i < b.N; i++ {
			s.Update(TickMsg{Now: tkNow.Add(time.Duration(i%60) * time.Second)})
		}
	})
	tkSend(b, s, tkKey("enter"))
	b.Run("detail", func(b *testing.B) { tkBenchView(b, s) })
}
