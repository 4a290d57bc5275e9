package sdk

import (
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"testing"

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/auth/basic"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/invoker/retry"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/region"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/sdkerr"
	mrs "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/mrs/v2"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/services/mrs/v2/model"
)

func mrsClient(e *Emulator, ak, sk, projectId string) *mrs.MrsClient {
	return recordedMrsClient(e, ak, sk, projectId, &recorder{})
}

// recordedMrsClient is a client whose answers the recorder keeps.
func recordedMrsClient(e *Emulator, ak, sk, projectId string, seen *recorder) *mrs.MrsClient {
	credentials := basic.NewCredentialsBuilder().WithAk(ak).WithSk(sk).WithProjectId(projectId).Build()
	return mrs.NewMrsClient(mrs.MrsClientBuilder().WithEndpoints([]string{e.URL}).WithCredential(credentials).WithHttpConfig(seen.config()).Build())
}

func ptr[T any](value T) *T { return &value }

// sdkError is the SDK's own error type, carrying what the emulator answered.
func sdkError(t *testing.T, err error) *sdkerr.ServiceResponseError {
	t.Helper()
	var answer *sdkerr.ServiceResponseError
	if !errors.As(err, &answer) {
		t.Fatalf("want a *sdkerr.ServiceResponseError, got %T: %v", err, err)
	}
	return answer
}

// fiveOperations runs each operation through the SDK's client and models, and holds each
// answer, as the model parsed it, against what the emulator sent.
func fiveOperations(t *testing.T, e *Emulator, client *mrs.MrsClient, seen *recorder) {
	cluster := cases.ClusterId
	users, groups := []string{"user1", "user2"}, []string{"groups1"}
	steps := []struct {
		operation string
		status    int
		call      func() (any, int, error)
		expected  any
	}{
		{"UpdateSyncIamUser", 202, func() (any, int, error) {
			r, err := client.UpdateSyncIamUser(&model.UpdateSyncIamUserRequest{ClusterId: cluster, Body: &model.UpdateSyncRequest{IsAllSync: ptr(false), UserNames: &users, GroupNames: &groups}})
			return r, status(r, err), err
		}, map[string]any{"state": "synchronizing"}},
		{"ShowSyncIamUser", 200, func() (any, int, error) {
			r, err := client.ShowSyncIamUser(&model.ShowSyncIamUserRequest{ClusterId: cluster})
			return r, status(r, err), err
		}, map[string]any{"user_names": []any{"user1", "user2"}, "group_names": []any{"groups1"}}},
		{"ListSyncStatus", 200, func() (any, int, error) {
			r, err := client.ListSyncStatus(&model.ListSyncStatusRequest{ClusterId: cluster})
			return r, status(r, err), err
		}, map[string]any{"is_synchronizing": false}},
		{"ListSyncRequirements", 200, func() (any, int, error) {
			r, err := client.ListSyncRequirements(&model.ListSyncRequirementsRequest{ClusterId: cluster})
			return r, status(r, err), err
		}, map[string]any{"is_synchronous": true}},
		{"CancelSyncIamUser", 202, func() (any, int, error) {
			r, err := client.CancelSyncIamUser(&model.CancelSyncIamUserRequest{ClusterId: cluster, Body: &model.CancelSyncRequest{UserNames: &users, GroupNames: &groups}})
			return r, status(r, err), err
		}, map[string]any{"state": "synchronizing"}},
		{"CancelSyncIamUser", 202, func() (any, int, error) {
			r, err := client.CancelSyncIamUser(&model.CancelSyncIamUserRequest{ClusterId: cluster})
			return r, status(r, err), err
		}, map[string]any{"state": "synchronizing"}},
		{"ShowSyncIamUser", 200, func() (any, int, error) {
			r, err := client.ShowSyncIamUser(&model.ShowSyncIamUserRequest{ClusterId: cluster})
			return r, status(r, err), err
		}, map[string]any{"user_names": []any{}, "group_names": []any{}}},
	}
	for i, step := range steps {
		response, code, err := step.call()
		if err != nil {
			t.Fatalf("step %d, %s: %v", i, step.operation, err)
		}
		entry := e.Last(t)
		if entry.Scheme != scheme {
			t.Fatalf("step %d, %s: the SDK spoke %s, not the leg's %s", i, step.operation, entry.Scheme, scheme)
		}
		if code != step.status || entry.Operation != step.operation || entry.Status != step.status || entry.ProjectId == nil || *entry.ProjectId != cases.ProjectId {
			t.Fatalf("step %d, %s: the SDK saw %d; the journal has %s %d", i, step.operation, code, entry.Operation, entry.Status)
		}
		sent := seen.Body(t)
		if problem := compare(step.expected, sent, "body"); problem != "" {
			t.Errorf("step %d, %s: the emulator sent %v: %s", i, step.operation, sent, problem)
		}
		assertModelIsWire(t, response, sent)
	}
}

// status is the HTTP status the SDK put in the response model.
func status(response any, err error) int {
	if err != nil {
		return 0
	}
	switch r := response.(type) {
	case *model.UpdateSyncIamUserResponse:
		return r.HttpStatusCode
	case *model.ShowSyncIamUserResponse:
		return r.HttpStatusCode
	case *model.ListSyncStatusResponse:
		return r.HttpStatusCode
	case *model.ListSyncRequirementsResponse:
		return r.HttpStatusCode
	case *model.CancelSyncIamUserResponse:
		return r.HttpStatusCode
	}
	panic(fmt.Sprintf("no status for %T", response))
}

func TestFiveOperationsStrictAkSk(t *testing.T) {
	e := strictEmulator.Reset(t)
	seen := &recorder{}
	fiveOperations(t, e, recordedMrsClient(e, cases.Ak, cases.Sk, cases.ProjectId, seen), seen)
	if got := e.Last(t).Headers["authorization"]; got != "[REDACTED]" {
		t.Errorf("the journal shows the Authorization header as %q", got)
	}
}

func TestFiveOperationsPermissiveAnyAkSk(t *testing.T) {
	e := permissiveEmulator.Reset(t)
	seen := &recorder{}
	fiveOperations(t, e, recordedMrsClient(e, "ANY-AK", "any-sk", cases.ProjectId, seen), seen)
}

func TestFaultAnswersAreTheSdksOwnErrors(t *testing.T) {
	for _, fault := range cases.Faults {
		t.Run(fmt.Sprint(fault.Status), func(t *testing.T) {
			e := strictEmulator.Reset(t)
			id := fmt.Sprint("fault-", fault.Status)
			e.AddFault(t, map[string]any{"id": id, "match": map[string]any{"operation": "CancelSyncIamUser"}, "action": fault, "times": 1})
			users := []string{"user1"}
			_, err := mrsClient(e, cases.Ak, cases.Sk, cases.ProjectId).CancelSyncIamUser(&model.CancelSyncIamUserRequest{ClusterId: cases.ClusterId, Body: &model.CancelSyncRequest{UserNames: &users}})
			answer := sdkError(t, err)
			entries := e.Journal(t, url.Values{"operation": {"CancelSyncIamUser"}})
			if len(entries) != 1 || entries[0].FaultId == nil || *entries[0].FaultId != id {
				t.Fatalf("%d requests, the first answered by %v: want one, answered by the rule (the SDK retries nothing unless asked)", len(entries), entries)
			}
			if answer.StatusCode != fault.Status || answer.ErrorCode != fault.ErrorCode || answer.ErrorMessage != fault.ErrorMsg || answer.RequestId != entries[0].RequestId {
				t.Errorf("the SDK's error %+v; the fault %+v, request id %s", answer, fault, entries[0].RequestId)
			}
		})
	}
}

func TestTheEmulatorsOwnErrors(t *testing.T) {
	e := strictEmulator.Reset(t)
	client := mrsClient(e, cases.Ak, cases.Sk, cases.ProjectId)
	_, err := client.CancelSyncIamUser(&model.CancelSyncIamUserRequest{ClusterId: "no-such-cluster"})
	if answer := sdkError(t, err); answer.StatusCode != 400 || answer.ErrorCode != "12000003" || answer.ErrorMessage != "The cluster does not exist." || answer.RequestId != e.Last(t).RequestId {
		t.Errorf("unknown cluster: %+v", answer)
	}

	if status := e.Control(t, "PUT", "projects/"+cases.ProjectId+"/clusters/"+cases.ClusterId, map[string]any{
		"state": "running", "synced_users": []string{}, "synced_groups": []string{},
		"sync_task": map[string]any{"kind": "sync", "user_names": []string{"user1"}, "group_names": []string{}, "ends_at": "2999-01-01T00:00:00Z"},
	}, nil); status != 200 {
		t.Fatalf("PUT cluster: %d", status)
	}
	_, err = client.UpdateSyncIamUser(&model.UpdateSyncIamUserRequest{ClusterId: cases.ClusterId, Body: &model.UpdateSyncRequest{IsAllSync: ptr(true)}})
	if answer := sdkError(t, err); answer.StatusCode != 500 || answer.ErrorCode != "12000154" {
		t.Errorf("a running task: %+v", answer)
	}
	running, err := client.ListSyncStatus(&model.ListSyncStatusRequest{ClusterId: cases.ClusterId})
	if err != nil || running.IsSynchronizing == nil || !*running.IsSynchronizing {
		t.Errorf("ListSyncStatus: %v %v", running, err)
	}
}

func TestStrictModeRefusesAWrongSecretAndAnotherProjectsKey(t *testing.T) {
	e := strictEmulator.Reset(t)
	_, err := mrsClient(e, cases.Ak, "wrong", cases.ProjectId).ListSyncStatus(&model.ListSyncStatusRequest{ClusterId: cases.ClusterId})
	if answer := sdkError(t, err); answer.StatusCode != 401 || answer.ErrorCode != "APIGW.0301" || answer.ErrorMessage != "Incorrect IAM authentication information: verify aksk signature fail, the signature does not match" {
		t.Errorf("a wrong secret: %+v", answer)
	}
	_, err = mrsClient(e, "EMULATORAK0000000002", "EmulatorSecretKey0000000000000000000002", cases.ProjectId).ListSyncStatus(&model.ListSyncStatusRequest{ClusterId: cases.ClusterId})
	if answer := sdkError(t, err); answer.StatusCode != 403 || answer.ErrorCode != "APIGW.0306" {
		t.Errorf("another project's key: %+v", answer)
	}
}

func TestTheSdksRetryIsSeenInTheJournal(t *testing.T) {
	e := strictEmulator.Reset(t)
	e.AddFault(t, map[string]any{"id": "twice-503", "match": map[string]any{"operation": "ListSyncStatus"},
		"action": map[string]any{"status": 503, "error_code": "APIGW.0503", "error_msg": "Service unavailable."}, "times": 2})
	retryOn5xx := func(_ interface{}, err error) bool {
		var answer *sdkerr.ServiceResponseError
		return errors.As(err, &answer) && answer.StatusCode >= 500
	}
	response, err := mrsClient(e, cases.Ak, cases.Sk, cases.ProjectId).
		ListSyncStatusInvoker(&model.ListSyncStatusRequest{ClusterId: cases.ClusterId}).
		WithRetry(3, retryOn5xx, retry.None{}).Invoke()
	if answer, ok := response.(*model.ListSyncStatusResponse); err != nil || !ok || answer.IsSynchronizing == nil || *answer.IsSynchronizing {
		t.Fatalf("%v %v", response, err)
	}
	var seen []string
	for _, entry := range e.Journal(t, url.Values{"operation": {"ListSyncStatus"}}) {
		fault := "-"
		if entry.FaultId != nil {
			fault = *entry.FaultId
		}
		seen = append(seen, fmt.Sprint(entry.Status, " ", fault))
	}
	if fmt.Sprint(seen) != "[503 twice-503 503 twice-503 200 -]" {
		t.Errorf("the journal: %v", seen)
	}
}

// The SDK keeps the project id it found per AK and region for the life of the process: each
// case uses an AK of its own, so that each asks IAM.
func TestTheRegionWayAsksTheEmulatorsIamForTheProject(t *testing.T) {
	for _, c := range []struct {
		name     string
		emulator *Emulator
		ak, sk   string
	}{{"strict", strictEmulator, cases.Ak, cases.Sk}, {"permissive", permissiveEmulator, "REGION-AK", "any-sk"}} {
		t.Run(c.name, func(t *testing.T) {
			e := c.emulator.Reset(t)
			credentials := basic.NewCredentialsBuilder().WithAk(c.ak).WithSk(c.sk).WithIamEndpointOverride(e.URL).Build()
			client := mrs.NewMrsClient(mrs.MrsClientBuilder().WithRegion(region.NewRegion(cases.Region, e.URL)).WithCredential(credentials).Build())
			response, err := client.ListSyncRequirements(&model.ListSyncRequirementsRequest{ClusterId: cases.ClusterId})
			if err != nil || response.IsSynchronous == nil || *response.IsSynchronous {
				t.Fatalf("%v %v", response, err)
			}
			lookup, call := e.LastTwo(t)
			if lookup.Operation != "KeystoneListProjects" || lookup.Path != "/v3/projects?name="+cases.Region {
				t.Errorf("the lookup: %s %s", lookup.Operation, lookup.Path)
			}
			if call.Operation != "ListSyncRequirements" || call.ProjectId == nil || *call.ProjectId != cases.ProjectId || call.Status != 200 {
				t.Errorf("the call: %s %v %d", call.Operation, call.ProjectId, call.Status)
			}
		})
	}
}

func TestAnUnknownRegionIsTheSdksOwnError(t *testing.T) {
	e := strictEmulator.Reset(t)
	credentials := basic.NewCredentialsBuilder().WithAk(cases.Ak).WithSk(cases.Sk).WithIamEndpointOverride(e.URL).Build()
	builder := mrs.MrsClientBuilder().WithRegion(region.NewRegion("xx-nowhere-1", e.URL)).WithCredential(credentials)
	_, err := builder.SafeBuild()
	if err == nil || !regexp.MustCompile(`(?i)failed to get project id of region 'xx-nowhere-1'`).MatchString(err.Error()) {
		t.Errorf("want the SDK's own error, got %v", err)
	}
}

// Go's SDK puts https:// in front of HUAWEICLOUD_SDK_IAM_ENDPOINT unless the value starts with
// it: an emulator on https:// (--tls auto, its CA trusted) can be named by the variable alone.
func TestTheIamEndpointVariableNamesAnEmulatorOnHttps(t *testing.T) {
	if scheme != "https" {
		t.Skip("the variable takes https:// only: the https:// leg runs this")
	}
	// An AK of its own: the SDK keeps the project it found for an AK and region, and asks IAM once.
	e := permissiveEmulator.Reset(t)
	t.Setenv("HUAWEICLOUD_SDK_IAM_ENDPOINT", e.URL)
	credentials := basic.NewCredentialsBuilder().WithAk("IAM-VARIABLE-AK").WithSk("any-sk").Build()
	client := mrs.NewMrsClient(mrs.MrsClientBuilder().WithRegion(region.NewRegion(cases.Region, e.URL)).WithCredential(credentials).Build())
	if _, err := client.ListSyncRequirements(&model.ListSyncRequirementsRequest{ClusterId: cases.ClusterId}); err != nil {
		t.Fatal(err)
	}
	lookup, call := e.LastTwo(t)
	if lookup.Operation != "KeystoneListProjects" || lookup.Scheme != "https" || call.Operation != "ListSyncRequirements" || call.Status != 200 {
		t.Errorf("the lookup %s over %s, then %s %d", lookup.Operation, lookup.Scheme, call.Operation, call.Status)
	}
}
