package sdk

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"sync"
	"testing"

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/config"
)

// recorder is the HTTP transport under an SDK client (the SDK's HttpConfig takes one): it keeps
// the last response body, byte for byte, as the SDK received it.
type recorder struct {
	mu   sync.Mutex
	last []byte
}

func (r *recorder) RoundTrip(request *http.Request) (*http.Response, error) {
	response, err := http.DefaultTransport.RoundTrip(request)
	if err != nil {
		return nil, err
	}
	body, err := io.ReadAll(response.Body)
	response.Body.Close()
	if err != nil {
		return nil, err
	}
	response.Body = io.NopCloser(bytes.NewReader(body))
	r.mu.Lock()
	r.last = body
	r.mu.Unlock()
	return response, nil
}

// Body is the last response body, parsed.
func (r *recorder) Body(t *testing.T) any {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	var parsed any
	if err := json.Unmarshal(r.last, &parsed); err != nil {
		t.Fatalf("the last answer is no JSON: %v: %q", err, r.last)
	}
	return parsed
}

func (r *recorder) config() *config.HttpConfig {
	return config.DefaultHttpConfig().WithHttpRoundTripper(r)
}
