package sdk

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// examples returns the README's code blocks behind the fence, with the line each starts on.
func examples(t *testing.T, fence string) map[int]string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(data), "\n")
	found := map[int]string{}
	for i := 0; i < len(lines); i++ {
		if lines[i] != fence {
			continue
		}
		end := i + 1
		for lines[end] != "```" {
			end++
		}
		found[i+1] = strings.Join(lines[i+1:end], "\n")
		i = end
	}
	return found
}

// The README's Go example runs as pasted, as a reader runs it: in a new folder outside this
// repository, with the README's own command line (`go mod init example && go get … && go mod
// tidy && go run .`), against the strict-mode emulator whose address replaces 127.0.0.1:9336. A
// `fmt.Println(…) // text` line asserts that the example prints that text.
func TestEveryGoExampleInTheReadmeRunsAsPasted(t *testing.T) {
	found := examples(t, "```go")
	if len(found) == 0 {
		t.Fatal("the README has no Go example")
	}
	data, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	command := regexp.MustCompile("`(go mod init example && [^`]+)`").FindSubmatch(data)
	if command == nil {
		t.Fatal("the README gives no `go mod init example && …` command line")
	}
	printed := regexp.MustCompile(`(?m)^\s*fmt\.Println\(.*\) // (.+)$`)
	for line, code := range found {
		strictEmulator.Reset(t)
		dir := t.TempDir()
		program := strings.ReplaceAll(code, "http://127.0.0.1:9336", strictEmulator.URL)
		if err := os.WriteFile(filepath.Join(dir, "main.go"), []byte(program), 0o644); err != nil {
			t.Fatal(err)
		}
		run := exec.Command("bash", "-e", "-c", string(command[1]))
		run.Dir = dir
		output, err := run.Output()
		if err != nil {
			t.Fatalf("README.md line %d: %v\n%s", line, err, output)
		}
		var want []string
		for _, match := range printed.FindAllStringSubmatch(code, -1) {
			want = append(want, strings.TrimSpace(match[1]))
		}
		if got := strings.Split(strings.TrimSpace(string(output)), "\n"); strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("README.md line %d prints %q, its comments say %q", line, got, want)
		}
	}
}
