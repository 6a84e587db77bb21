package ui

import (
	"fmt"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/stsdeck/stsdeck/model"
	"github.com/stsdeck/stsdeck/model/policy"
)

// View() of the Roles and Policy screens and of the whole app frame at 200×60, against the
// shared baseline of bench_screens_test.go (a 200×60 lipgloss block, measured in the same run).

func benchRoles(n int) *cRolesFake {
	f := cDemoRoles()
	for i := len(f.roles); i < n; i++ {
		f.roles = append(f.roles, model.Role{Name: fmt.Sprintf("Role%03d", i), ARN: fmt.Sprintf("acs:ram::%s:role/role%03d", cAccount, i),
			Description: "a role for benchmarks", MaxSessionDuration: time.Hour, TrustPolicy: cTrustAccount,
			Policies: []model.AttachedPolicy{{Name: "RamTestPolicy", Type: "Custom", Document: cRamTestPolicy}}})
	}
	return f
}

func BenchmarkRolesView(b *testing.B) {
	for _, noColor := range []bool{false, true} {
		b.Run(map[bool]string{false: "color", true: "nocolor"}[noColor], func(b *testing.B) {
			roles := benchRoles(60)
			s := NewRolesScreen(cDemoServices(roles), NewStyles(noColor), cClock)
			s.SetSize(200, 60)
			s.Init()
			s.Update(rolesLoadedMsg{req: s.listReq, roles: roles.roles})
			r := roles.roles[1]
			s.Update(roleDetailMsg{req: s.detailReq, key: s.selectedARN(), role: r})
			s.detail.expanded = true
			s.refreshDetail()
			tkBenchView(b, s)
		})
	}
}

func BenchmarkPolicyView(b *testing.B) {
	for _, noColor := range []bool{false, true} {
		b.Run(map[bool]string{false: "color", true: "nocolor"}[noColor], func(b *testing.B) {
			s := NewPolicyScreen(cDemoServices(cDemoRoles()), NewStyles(noColor), cClock)
			s.SetSize(200, 60)
			s.Update(RoleSelectedMsg{Role: cDemoRoles().roles[0]})
			s.bucket, s.prefix, s.scopeSet = "examplebucket", "src/", true
			doc, err := policy.Template("upload-only", "examplebucket", "src/")
			if err != nil {
				b.Fatal(err)
			}
			cmd := s.setDoc(doc)
			s.Update(cmd())
			if len(s.Preview().Cells) == 0 {
				b.Fatal("no preview")
			}
			tkBenchView(b, s)
		})
	}
}

// BenchmarkPolicyPreview is the cost of recomputing the grid (every validated keystroke).
func BenchmarkPolicyPreview(b *testing.B) {
	role := cDemoRoles().roles[0]
	doc, _ := policy.Template("upload-only", "examplebucket", "src/")
	sess, fs := policy.Validate("s", []byte(doc), policy.KindSession)
	if policy.HasErrors(fs) {
		b.Fatal(fs)
	}
	in := PreviewInput{RoleName: role.Name, AccountID: cAccount, Region: "cn-hangzhou", Identity: CompileIdentity(&role),
		Session: sess, Bucket: "examplebucket", Prefix: "src/"}
	base := tkBaseline(b)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		_ = ComputePreview(in)
	}
	b.StopTimer()
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/base, "x-baseline")
}

func BenchmarkAppView(b *testing.B) {
	a := newApp(cDemoServices(cDemoRoles()), Options{NoColor: false, Now: cClock})
	a.Update(tea.WindowSizeMsg{Width: 200, Height: 60})
	a.Update(rolesLoadedMsg{req: a.screens[ScreenRoles].(*RolesScreen).listReq, roles: cDemoRoles().roles})
	a.Update(SwitchScreenMsg{To: ScreenPolicy})
	base := tkBaseline(b)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		_ = a.View()
	}
	b.StopTimer()
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/base, "x-baseline")
}
