package sdk

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// documentation is README.md, then docs/*.md but ci.md, each with its text. (docs/ci.md's
// programs start the emulator in Docker, with Testcontainers: test/recipes/run checks them.)
func documentation(t *testing.T) map[string]string {
	t.Helper()
	docs, err := filepath.Glob(filepath.Join(root, "docs", "*.md"))
	if err != nil {
		t.Fatal(err)
	}
	texts := map[string]string{}
	for _, path := range append([]string{filepath.Join(root, "README.md")}, docs...) {
		if filepath.Base(path) == "ci.md" {
			continue
		}
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		name, _ := filepath.Rel(root, path)
		texts[name] = string(data)
	}
	return texts
}

// examples returns the documentation's code blocks behind the fence, each under "file line N".
func examples(t *testing.T, fence string) map[string]string {
	t.Helper()
	found := map[string]string{}
	for name, text := range documentation(t) {
		lines := strings.Split(text, "\n")
		for i := 0; i < len(lines); i++ {
			if lines[i] != fence {
				continue
			}
			end := i + 1
			for lines[end] != "```" {
				end++
			}
			found[fmt.Sprintf("%s line %d", name, i+1)] = strings.Join(lines[i+1:end], "\n")
			i = end
		}
	}
	return found
}

// Every Go example of the documentation runs as pasted, as a reader runs it: in a new folder
// outside this repository, with the documentation's own command line (`go mod init example && go get … && go mod
// tidy && go run .`), against the strict-mode emulator whose address replaces 127.0.0.1:9336. A
// `fmt.Println(…) // text` line asserts that the example prints that text.
func TestEveryGoExampleOfTheDocumentationRunsAsPasted(t *testing.T) {
	found := examples(t, "```go")
	if len(found) == 0 {
		t.Fatal("the documentation has no Go example")
	}
	command := regexp.MustCompile("`(go mod init example && [^`]+)`").FindStringSubmatch(documentation(t)["docs/sdks.md"])
	if command == nil {
		t.Fatal("docs/sdks.md gives no `go mod init example && …` command line")
	}
	printed := regexp.MustCompile(`(?m)^\s*fmt\.Println\(.*\) // (.+)$`)
	for line, code := range found {
		strictEmulator.Reset(t)
		dir := t.TempDir()
		program := strings.ReplaceAll(code, "http://127.0.0.1:9336", strictEmulator.URL)
		if err := os.WriteFile(filepath.Join(dir, "main.go"), []byte(program), 0o644); err != nil {
			t.Fatal(err)
		}
		run := exec.Command("bash", "-e", "-c", command[1])
		run.Dir = dir
		output, err := run.Output()
		if err != nil {
			t.Fatalf("%s: %v\n%s", line, err, output)
		}
		var want []string
		for _, match := range printed.FindAllStringSubmatch(code, -1) {
			want = append(want, strings.TrimSpace(match[1]))
		}
		if got := strings.Split(strings.TrimSpace(string(output)), "\n"); strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("%s prints %q, its comments say %q", line, got, want)
		}
	}
}
