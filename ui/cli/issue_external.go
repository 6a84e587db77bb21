package cli

import (
	"strings"
)

// externalCommand is the process_command of an aliyun CLI External profile: this same issue
// command with --format external (and without --out/--json/--profile-name, which shape only
// this run's output), quoted for the shell the CLI splits it with.
func externalCommand(args []string) string {
	out := []string{"stsdeck", "issue"}
	skipNext := false
	for i := 0; i < len(args); i++ {
		a := args[i]
		if skipNext {
			skipNext = false
			continue
		}
		name, _, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if strings.HasPrefix(a, "-") {
			switch name {
			case "format", "out", "profile-name":
				skipNext = !hasValue
				continue
			case "json":
				continue
			}
		}
		out = append(out, a)
	}
	out = append(out, "--format", "external")
	for i, a := range out {
		if a == "" || strings.ContainsAny(a, " \t\n'\"\\$`*?[]{}()<>|&;#~!") {
			out[i] = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
		}
	}
	return strings.Join(out, " ")
}
