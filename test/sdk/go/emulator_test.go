// Huawei's Go SDK (huaweicloud-sdk-go-v3) against real emulator processes: this file starts
// them and drives their control plane; the tests are in the other files.
package sdk

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"testing"
	"time"
)

// Cases is test/sdk/cases.json: what every language's suite shares.
type Fault struct {
	Status    int    `json:"status"`
	ErrorCode string `json:"error_code"`
	ErrorMsg  string `json:"error_msg"`
}

var cases struct {
	ProjectId       string `json:"project_id"`
	OtherProjectId  string `json:"other_project_id"`
	Region          string `json:"region"`
	ClusterId       string `json:"cluster_id"`
	SyncedClusterId string `json:"synced_cluster_id"`
	Ak              string `json:"ak"`
	Sk              string `json:"sk"`
	DomainId        string `json:"domain_id"`
	DomainName      string `json:"domain_name"`
	User            struct{ Name, Password string }
	Faults          []Fault `json:"faults"`
}

// The repository's root: three folders up from this file.
var root = func() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "..")
}()

// The scheme the SDKs speak to the emulator: the one parameter an https:// leg changes.
var scheme = envOr("MRS_EMULATOR_SDK_SCHEME", "http")

var strictEmulator, permissiveEmulator *Emulator

func envOr(name, fallback string) string {
	if value := os.Getenv(name); value != "" {
		return value
	}
	return fallback
}

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	data, err := os.ReadFile(filepath.Join(root, "test", "sdk", "cases.json"))
	if err == nil {
		err = json.Unmarshal(data, &cases)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "cannot read test/sdk/cases.json:", err)
		return 1
	}
	if strictEmulator, err = startEmulator("strict"); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer strictEmulator.Stop()
	if permissiveEmulator, err = startEmulator("permissive"); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer permissiveEmulator.Stop()
	return m.Run()
}

// Emulator is `node dist/src/server.js` on a free port, in one authentication mode.
type Emulator struct {
	URL     string
	process *exec.Cmd
}

func startEmulator(auth string) (*Emulator, error) {
	server := filepath.Join(root, "dist", "src", "server.js")
	if _, err := os.Stat(server); err != nil {
		return nil, fmt.Errorf("%s is missing: run npm run build first", server)
	}
	args := []string{server, "--port", "0", "--log-level", "warn", "--auth", auth}
	// With https, every emulator serves TLS from one local CA, which test/sdk/run makes and has
	// this process trust as users do (SSL_CERT_FILE).
	if scheme == "https" {
		args = append(args, "--tls", "auto", "--tls-dir", os.Getenv("MRS_EMULATOR_SDK_TLS_DIR"))
	}
	process := exec.Command(envOr("MRS_EMULATOR_NODE", "node"), args...)
	stdout, err := process.StdoutPipe()
	if err != nil {
		return nil, err
	}
	// Not this process's own stderr: an emulator left behind would keep `go test` waiting on it.
	var stderr bytes.Buffer
	process.Stderr = &stderr
	endWithThisProcess(process)
	if err := process.Start(); err != nil {
		return nil, err
	}
	found := make(chan string, 1)
	go func() {
		// "listening on http://… and https://… (CA: …)" with TLS.
		listening := regexp.MustCompile(`listening on (?:\S+ and )?(` + scheme + `://\S+)`)
		// Read to the end, so that the emulator never blocks on a full pipe.
		lines := bufio.NewScanner(stdout)
		for lines.Scan() {
			if match := listening.FindStringSubmatch(lines.Text()); match != nil {
				found <- match[1]
			}
		}
	}()
	select {
	case address := <-found:
		return &Emulator{URL: address, process: process}, nil
	case <-time.After(30 * time.Second):
		_ = process.Process.Kill()
		return nil, fmt.Errorf("the %s emulator printed no URL within 30 s: %s", auth, stderr.String())
	}
}

func (e *Emulator) Stop() {
	_ = e.process.Process.Signal(os.Interrupt)
	_ = e.process.Wait()
}

// Control makes a control-plane call and decodes its JSON answer into out (when not nil).
func (e *Emulator) Control(t *testing.T, method, path string, body any, out any) int {
	t.Helper()
	var reader io.Reader
	if body != nil {
		data, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		reader = bytes.NewReader(data)
	}
	request, err := http.NewRequest(method, e.URL+"/_emulator/"+path, reader)
	if err != nil {
		t.Fatal(err)
	}
	request.Header.Set("Content-Type", "application/json")
	response, err := http.DefaultClient.Do(request)
	if err != nil {
		t.Fatal(err)
	}
	defer response.Body.Close()
	data, err := io.ReadAll(response.Body)
	if err != nil {
		t.Fatal(err)
	}
	if out != nil && len(data) > 0 {
		if err := json.Unmarshal(data, out); err != nil {
			t.Fatalf("%s %s: %v: %s", method, path, err, data)
		}
	}
	return response.StatusCode
}

// Reset puts the emulator back as its fixtures made it, and returns it.
func (e *Emulator) Reset(t *testing.T) *Emulator {
	t.Helper()
	if status := e.Control(t, "POST", "reset", nil, nil); status != 200 {
		t.Fatalf("reset: %d", status)
	}
	return e
}

func (e *Emulator) AddFault(t *testing.T, rule map[string]any) {
	t.Helper()
	var answer any
	if status := e.Control(t, "POST", "faults", rule, &answer); status != 201 {
		t.Fatalf("POST /_emulator/faults: %d %v", status, answer)
	}
}

// Entry is one request of the journal, as far as these tests read it.
type Entry struct {
	RequestId string            `json:"request_id"`
	Method    string            `json:"method"`
	Scheme    string            `json:"scheme"`
	Path      string            `json:"path"`
	Operation string            `json:"operation"`
	ProjectId *string           `json:"project_id"`
	Status    int               `json:"status"`
	FaultId   *string           `json:"fault_id"`
	Headers   map[string]string `json:"headers"`
	Body      any               `json:"body"`
	Response  *struct {
		Headers map[string]string `json:"headers"`
		Body    any               `json:"body"`
	} `json:"response"`
}

// Journal lists the recorded requests that match the filters, oldest first.
func (e *Emulator) Journal(t *testing.T, filters url.Values) []Entry {
	t.Helper()
	var answer struct{ Requests []Entry }
	if status := e.Control(t, "GET", "requests?"+filters.Encode(), nil, &answer); status != 200 {
		t.Fatalf("GET /_emulator/requests: %d", status)
	}
	return answer.Requests
}

// LastTwo are the two newest requests of the journal.
func (e *Emulator) LastTwo(t *testing.T) (Entry, Entry) {
	t.Helper()
	entries := e.Journal(t, url.Values{"limit": {"2"}})
	if len(entries) != 2 {
		t.Fatalf("the journal holds %d requests, not 2", len(entries))
	}
	return entries[0], entries[1]
}

// Last is the newest request of the journal.
func (e *Emulator) Last(t *testing.T) Entry {
	t.Helper()
	entries := e.Journal(t, url.Values{"limit": {"1"}})
	if len(entries) != 1 {
		t.Fatal("the journal is empty")
	}
	return entries[0]
}
