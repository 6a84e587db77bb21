package atomicfile

import (
	"os"
	"path/filepath"
	"testing"
)

func TestWrite(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "secret.env")
	if err := os.WriteFile(p, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := Write(p, []byte("new"), 0o600); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(p)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v %v", st, err)
	}
	if b, _ := os.ReadFile(p); string(b) != "new" {
		t.Fatalf("content %q", b)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 1 {
		t.Fatalf("temp files left: %v", ents)
	}
	t.Run("missing directory leaves nothing", func(t *testing.T) {
		if err := Write(filepath.Join(dir, "nope", "x"), []byte("x"), 0o600); err == nil {
			t.Fatal("want an error")
		}
	})
	t.Run("a directory in the way keeps the old content", func(t *testing.T) {
		d := filepath.Join(dir, "sub")
		os.Mkdir(d, 0o700)
		os.WriteFile(filepath.Join(d, "f"), []byte("x"), 0o600)
		if err := Write(d, []byte("y"), 0o600); err == nil {
			t.Fatal("want an error renaming over a non-empty directory")
		}
		if ents, _ := os.ReadDir(dir); len(ents) != 2 {
			t.Fatalf("temp files left: %v", ents)
		}
	})
}
