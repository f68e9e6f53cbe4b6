package cgo

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestLintBoundary runs lint_boundary.py on a copy of this package with
// one rule broken at a time, so the lint itself cannot silently pass.
func TestLintBoundary(t *testing.T) {
	python, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 not found")
	}
	edits := []struct {
		name string
		file string // relative to the copy's root
		edit func(string) string
		want string // "" means the lint must pass
	}{
		{"clean", "", nil, ""},
		{"raising call without shim", "cgo/crypto.go", appendText("\nfunc bad() { C.SocketCrypto_hex_encode(nil, 0, nil, 0) }\n"),
			"C.SocketCrypto_hex_encode is neither a go_* shim"},
		{"import C elsewhere", "other/x.go", replaceAll("// #include <stdio.h>\nimport \"C\"\n"),
			`other/x.go:1: only cgo/ may import "C"`},
		{"grouped import C elsewhere", "other/y.go", replaceAll("import (\n\t\"fmt\"\n\t\"C\"\n)\n"),
			`other/y.go:1: only cgo/ may import "C"`},
		{"import C in a string only", "other/z.go", replaceAll("// import \"C\"\nvar s = `import \"C\"`\nvar r = \"import \\\"C\\\"\"\n"), ""},
		{"nocallback shim that may call back", "cgo/log.go",
			replace("#cgo nocallback go_SocketLog_setGoSink", "#cgo nocallback go_SocketLog_setGoSink\n#cgo nocallback go_SocketLog_emit"),
			"nocallback shim go_SocketLog_emit must use GO_CALL_NOCB"},
		{"nocallback on a raising function", "cgo/log.go",
			replace("#cgo nocallback SocketLog_levelname", "#cgo nocallback SocketLog_levelname\n#cgo nocallback SocketRateLimit_new"),
			"nocallback on SocketRateLimit_new, which is not on the PURE allowlist"},
		{"noescape without nocallback", "cgo/log.go",
			replace("#cgo nocallback SocketLog_levelname", "#cgo nocallback SocketLog_levelname\n#cgo noescape go_Callback_invoke"),
			"noescape on go_Callback_invoke without nocallback"},
		{"build flags outside cflags.go", "cgo/log.go",
			replace("#cgo nocallback SocketLog_levelname", "#cgo nocallback SocketLog_levelname\n#cgo CFLAGS: -DX"),
			"build flags belong in cgo/cflags.go"},
		{"private header in a shim", "cgo/shim_core.c",
			replace("#include \"shim_core.h\"", "#include \"shim_core.h\"\n#include \"core/SocketUTF8-private.h\""),
			"cgo/shim_core.c:14: includes core/SocketUTF8-private.h"},
		{"private header in a preamble", "cgo/log.go",
			replace("#cgo nocallback SocketLog_levelname", "#cgo nocallback SocketLog_levelname\n# include <poll/SocketPoll-private.h>"),
			"includes poll/SocketPoll-private.h"},
		{"definition in an export preamble", "cgo/callbacks.go",
			replace("#include <stdint.h>", "#include <stdint.h>\nstatic int helper(void) { return 1; }"),
			"preamble of a file with //export must hold declarations only"},
	}
	for _, tt := range edits {
		t.Run(tt.name, func(t *testing.T) {
			root := copyPackage(t)
			if tt.file != "" {
				path := filepath.Join(root, tt.file)
				old, _ := os.ReadFile(path)
				changed := tt.edit(string(old))
				if changed == string(old) {
					t.Fatalf("edit of %s changed nothing", tt.file)
				}
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, []byte(changed), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			out, err := exec.Command(python, "lint_boundary.py", root).CombinedOutput()
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("lint failed on a clean tree: %v\n%s", err, out)
			case tt.want != "" && err == nil:
				t.Fatalf("lint passed, want failure %q\n%s", tt.want, out)
			case tt.want != "" && !strings.Contains(string(out), tt.want):
				t.Fatalf("lint output lacks %q:\n%s", tt.want, out)
			}
		})
	}
}

func copyPackage(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	if err := os.Mkdir(filepath.Join(root, "cgo"), 0o755); err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".go") && !strings.HasSuffix(e.Name(), ".c") && !strings.HasSuffix(e.Name(), ".h") {
			continue
		}
		b, err := os.ReadFile(e.Name())
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(root, "cgo", e.Name()), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

func appendText(s string) func(string) string { return func(old string) string { return old + s } }

func replace(old, new string) func(string) string {
	return func(src string) string { return strings.Replace(src, old, new, 1) }
}

// replaceAll writes a new file in package other.
func replaceAll(body string) func(string) string {
	return func(string) string { return "package other\n\n" + body }
}
