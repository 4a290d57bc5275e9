package sdk

// Huawei's Go IAM client against the emulator's IAM face, and what its answers unlock: a
// project-scoped token, then a temporary AK/SK with its security token for MRS.
//
// The Go SDK signs MRS calls with AK/SK only (basic.Credentials: AK/SK, optionally a security
// token, or a federated id token: core/auth/basic_credentials.go); it has no IAM-token
// credential. A token is used the SDK's way: exchanged for a temporary key.

import (
	"testing"

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/auth/basic"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/auth/global"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/region"
	iam "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/iam/v3"
	iammodel "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/iam/v3/model"
	mrs "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/mrs/v2"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/services/mrs/v2/model"
)

func iamClient(e *Emulator, seen *recorder) *iam.IamClient {
	credentials := global.NewCredentialsBuilder().WithAk(cases.Ak).WithSk(cases.Sk).WithDomainId(cases.DomainId).Build()
	return iam.NewIamClient(iam.IamClientBuilder().WithEndpoints([]string{e.URL}).WithCredential(credentials).WithHttpConfig(seen.config()).Build())
}

func userToken(e *Emulator, password string, seen *recorder) (*iammodel.KeystoneCreateUserTokenByPasswordResponse, error) {
	return iamClient(e, seen).KeystoneCreateUserTokenByPassword(&iammodel.KeystoneCreateUserTokenByPasswordRequest{
		Nocatalog: ptr("true"),
		Body: &iammodel.KeystoneCreateUserTokenByPasswordRequestBody{Auth: &iammodel.PwdAuth{
			Identity: &iammodel.PwdIdentity{
				Methods: []iammodel.PwdIdentityMethods{iammodel.GetPwdIdentityMethodsEnum().PASSWORD},
				Password: &iammodel.PwdPassword{User: &iammodel.PwdPasswordUser{
					Domain: &iammodel.PwdPasswordUserDomain{Name: cases.DomainName},
					Name:   cases.User.Name, Password: password}}},
			Scope: &iammodel.AuthScope{Project: &iammodel.AuthScopeProject{Name: ptr(cases.Region)}}}}})
}

func TestKeystoneListProjects(t *testing.T) {
	for name, emulator := range map[string]*Emulator{"strict": strictEmulator, "permissive": permissiveEmulator} {
		t.Run(name, func(t *testing.T) {
			e := emulator.Reset(t)
			seen := &recorder{}
			response, err := iamClient(e, seen).KeystoneListProjects(&iammodel.KeystoneListProjectsRequest{Name: ptr(cases.Region)})
			if err != nil || response.HttpStatusCode != 200 || response.Projects == nil {
				t.Fatalf("%v %v", response, err)
			}
			assertModelIsWire(t, response, seen.Body(t))
			projects := *response.Projects
			if len(projects) != 1 || projects[0].Id != cases.ProjectId || projects[0].Name != cases.Region || projects[0].DomainId != cases.DomainId {
				t.Errorf("projects: %+v", projects)
			}
		})
	}
}

func TestGlobalCredentialsWithoutADomainIdAskIamForIt(t *testing.T) {
	e := strictEmulator.Reset(t)
	// The SDK keeps the domain id it found per AK for the life of the process: this AK (the
	// other project's; IAM takes any key of the account) is used nowhere else.
	credentials := global.NewCredentialsBuilder().WithAk("EMULATORAK0000000002").WithSk("EmulatorSecretKey0000000000000000000002").WithIamEndpointOverride(e.URL).Build()
	client := iam.NewIamClient(iam.IamClientBuilder().WithRegion(region.NewRegion(cases.Region, e.URL)).WithCredential(credentials).Build())
	response, err := client.KeystoneListProjects(&iammodel.KeystoneListProjectsRequest{})
	if err != nil || response.Projects == nil || len(*response.Projects) != 2 {
		t.Fatalf("%v %v", response, err)
	}
	lookup, call := e.LastTwo(t)
	if lookup.Operation != "KeystoneListAuthDomains" || call.Headers["x-domain-id"] != cases.DomainId {
		t.Errorf("the lookup %s, then X-Domain-Id %q", lookup.Operation, call.Headers["x-domain-id"])
	}
}

func TestATokenThenATemporaryKeyThenMrsWithItsSecurityToken(t *testing.T) {
	e := strictEmulator.Reset(t)
	seen := &recorder{}
	token, err := userToken(e, cases.User.Password, seen)
	if err != nil || token.HttpStatusCode != 201 || token.XSubjectToken == nil || *token.XSubjectToken == "" || token.Token == nil || token.Token.Project == nil || token.Token.User == nil {
		t.Fatalf("%v %v", token, err)
	}
	entry := e.Last(t)
	assertModelIsWire(t, token, seen.Body(t))
	if token.Token.Project.Id != cases.ProjectId || token.Token.User.Name != cases.User.Name {
		t.Errorf("token: %+v", token.Token)
	}
	if entry.Response.Headers["x-subject-token"] != "[REDACTED]" {
		t.Errorf("the journal shows X-Subject-Token as %q", entry.Response.Headers["x-subject-token"])
	}

	key, err := iamClient(e, seen).CreateTemporaryAccessKeyByToken(&iammodel.CreateTemporaryAccessKeyByTokenRequest{
		Body: &iammodel.CreateTemporaryAccessKeyByTokenRequestBody{Auth: &iammodel.TokenAuth{Identity: &iammodel.TokenAuthIdentity{
			Methods: []iammodel.TokenAuthIdentityMethods{iammodel.GetTokenAuthIdentityMethodsEnum().TOKEN},
			Token:   &iammodel.IdentityToken{Id: token.XSubjectToken, DurationSeconds: ptr(int32(3600))}}}}})
	if err != nil || key.HttpStatusCode != 201 || key.Credential == nil {
		t.Fatalf("%v %v", key, err)
	}
	assertModelIsWire(t, key, seen.Body(t))

	credentials := basic.NewCredentialsBuilder().WithAk(key.Credential.Access).WithSk(key.Credential.Secret).
		WithSecurityToken(key.Credential.Securitytoken).WithProjectId(cases.ProjectId).Build()
	client := mrs.NewMrsClient(mrs.MrsClientBuilder().WithEndpoints([]string{e.URL}).WithCredential(credentials).Build())
	status, err := client.ListSyncStatus(&model.ListSyncStatusRequest{ClusterId: cases.ClusterId})
	if err != nil || status.IsSynchronizing == nil || *status.IsSynchronizing {
		t.Fatalf("%v %v", status, err)
	}
	if got := e.Last(t).Headers["x-security-token"]; got != "[REDACTED]" {
		t.Errorf("the journal shows X-Security-Token as %q", got)
	}

	// Past its expiry on the emulator's clock, the gateway's answer for an expired credential.
	if code := e.Control(t, "POST", "clock", map[string]any{"advance_ms": 3601 * 1000}, nil); code != 200 {
		t.Fatalf("POST clock: %d", code)
	}
	_, err = client.ListSyncStatus(&model.ListSyncStatusRequest{ClusterId: cases.ClusterId})
	if answer := sdkError(t, err); answer.StatusCode != 401 || answer.ErrorCode != "APIGW.0307" || answer.ErrorMessage != "The token must be updated." {
		t.Errorf("expired: %+v", answer)
	}
}

func TestAWrongPasswordIsKeystones401(t *testing.T) {
	e := strictEmulator.Reset(t)
	_, err := userToken(e, "wrong", &recorder{})
	answer := sdkError(t, err)
	// The Go SDK takes error_code/error_msg (or code/message, nested too) only when they are
	// strings: Keystone's code is a number, so its body arrives whole as the message, with no
	// code (core/sdkerr/errors.go).
	keystone := `{"error":{"code":401,"message":"The username or password is wrong.","title":"Unauthorized"}}`
	if answer.StatusCode != 401 || answer.ErrorCode != "" || answer.ErrorMessage != keystone || answer.RequestId != e.Last(t).RequestId {
		t.Errorf("%+v", answer)
	}
}
