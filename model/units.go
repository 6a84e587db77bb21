package model

import "fmt"

// HumanBytes formats a byte count (or a rate's bytes) with binary units: "512 B", "1.5 KiB",
// "3.0 GiB" — the one formatter both faces use for sizes and throughput.
func HumanBytes(n float64) string {
	units := []string{"B", "KiB", "MiB", "GiB", "TiB", "PiB"}
	i := 0
	for n >= 1024 && i < len(units)-1 {
		n /= 1024
		i++
	}
	if i == 0 {
		return fmt.Sprintf("%.0f %s", n, units[i])
	}
	return fmt.Sprintf("%.1f %s", n, units[i])
}
