// Huawei's MRS SDK for Go against the emulator in a container, started by Testcontainers for
// each test run. With Docker running: go test ./...
// The image: MRS_EMULATOR_IMAGE, else the release below (OWNER: see the README's "Install").
package example

import (
	"context"
	"os"
	"testing"

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/auth/basic"
	mrs "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/mrs/v2"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/services/mrs/v2/model"
	"github.com/testcontainers/testcontainers-go"
	"github.com/testcontainers/testcontainers-go/wait"
)

func TestCancelSyncIamUser(t *testing.T) {
	image := os.Getenv("MRS_EMULATOR_IMAGE")
	if image == "" {
		image = "ghcr.io/OWNER/mrs-emulator:0.2.0"
	}
	ctx := context.Background()
	emulator, err := testcontainers.Run(ctx, image,
		testcontainers.WithExposedPorts("9336/tcp"),
		// Signatures verified as the real gateway verifies them.
		testcontainers.WithEnv(map[string]string{"MRS_EMULATOR_AUTH": "strict"}),
		// Ready: the world is loaded and every plane answers.
		testcontainers.WithWaitStrategy(wait.ForHTTP("/_emulator/ready").WithPort("9336/tcp")))
	testcontainers.CleanupContainer(t, emulator)
	if err != nil {
		t.Fatal(err)
	}
	// The port Docker mapped, as the SDK's endpoint: http://localhost:32768.
	endpoint, err := emulator.PortEndpoint(ctx, "9336/tcp", "http")
	if err != nil {
		t.Fatal(err)
	}

	credentials := basic.NewCredentialsBuilder().
		WithAk("EMULATORAK0000000001").WithSk("EmulatorSecretKey0000000000000000000001").
		WithProjectId("ff8080828997cb24018a1b2db3440b80").Build()
	client := mrs.NewMrsClient(mrs.MrsClientBuilder().
		WithEndpoints([]string{endpoint}).WithCredential(credentials).Build())

	cluster := "f7f45c04-4303-411c-9b71-d2cb730dd162"
	users, groups := []string{"user1", "user2"}, []string{"groups1"}
	answer, err := client.CancelSyncIamUser(&model.CancelSyncIamUserRequest{
		ClusterId: cluster, Body: &model.CancelSyncRequest{UserNames: &users, GroupNames: &groups}})
	if err != nil {
		t.Fatal(err)
	}
	if *answer.State != "synchronizing" {
		t.Fatalf("state %q, want synchronizing", *answer.State)
	}
}
