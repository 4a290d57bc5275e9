package sdk

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// assertModelIsWire checks that every field the emulator sent (the body as the SDK received it,
// from the recorder) is one the SDK's model declares and holds what was sent: the model, written
// back to JSON by its own tags, equals the body on the wire. Response headers the model declares
// (X-Subject-Token) are left out.
func assertModelIsWire(t *testing.T, model any, wire any) {
	t.Helper()
	data, err := json.Marshal(model)
	if err != nil {
		t.Fatal(err)
	}
	var parsed map[string]any
	if err := json.Unmarshal(data, &parsed); err != nil {
		t.Fatal(err)
	}
	for name := range parsed {
		if strings.HasPrefix(name, "X-") {
			delete(parsed, name)
		}
	}
	if problem := compare(parsed, wire, "body"); problem != "" {
		t.Errorf("%T: %s", model, problem)
	}
}

func compare(model, wire any, path string) string {
	switch w := wire.(type) {
	case map[string]any:
		m, ok := model.(map[string]any)
		if !ok {
			return fmt.Sprintf("%s: the model holds %v, the wire an object", path, model)
		}
		for name, value := range w {
			if value == nil {
				continue // absent and null are the same to a model with omitempty
			}
			held, declared := m[name]
			if !declared {
				return fmt.Sprintf("%s.%s: sent, but the model holds nothing there (a field it does not declare, or under another name)", path, name)
			}
			if problem := compare(held, value, path+"."+name); problem != "" {
				return problem
			}
		}
		for name := range m {
			if _, sent := w[name]; !sent {
				return fmt.Sprintf("%s.%s: not sent, yet the model holds %v", path, name, m[name])
			}
		}
		return ""
	case []any:
		m, ok := model.([]any)
		if !ok || len(m) != len(w) {
			return fmt.Sprintf("%s: the model holds %v, the wire %v", path, model, wire)
		}
		for i := range w {
			if problem := compare(m[i], w[i], fmt.Sprintf("%s[%d]", path, i)); problem != "" {
				return problem
			}
		}
		return ""
	}
	if !reflect.DeepEqual(model, wire) {
		return fmt.Sprintf("%s: the model holds %v, the wire %v", path, model, wire)
	}
	return ""
}
