package example;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.huaweicloud.sdk.core.auth.BasicCredentials;
import com.huaweicloud.sdk.mrs.v2.MrsClient;
import com.huaweicloud.sdk.mrs.v2.model.CancelSyncIamUserRequest;
import com.huaweicloud.sdk.mrs.v2.model.CancelSyncRequest;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.utility.DockerImageName;

/**
 * Huawei's MRS SDK for Java against the emulator in a container, started by Testcontainers.
 * The image: MRS_EMULATOR_IMAGE, else the release below (OWNER: see the README's "Install").
 */
class EmulatorTest {
    static final String IMAGE = System.getenv().getOrDefault("MRS_EMULATOR_IMAGE", "ghcr.io/OWNER/mrs-emulator:0.2.0");

    @Test
    void cancelSyncIamUser() {
        try (GenericContainer<?> emulator = new GenericContainer<>(DockerImageName.parse(IMAGE))
                .withExposedPorts(9336)
                // Signatures verified as the real gateway verifies them.
                .withEnv("MRS_EMULATOR_AUTH", "strict")
                // Ready: the world is loaded and every plane answers.
                .waitingFor(Wait.forHttp("/_emulator/ready").forPort(9336))) {
            emulator.start();
            // The port Docker mapped, as the SDK's endpoint.
            String endpoint = "http://" + emulator.getHost() + ":" + emulator.getMappedPort(9336);

            BasicCredentials credentials = new BasicCredentials()
                .withAk("EMULATORAK0000000001").withSk("EmulatorSecretKey0000000000000000000001")
                .withProjectId("ff8080828997cb24018a1b2db3440b80");
            MrsClient client = MrsClient.newBuilder().withCredential(credentials)
                .withEndpoints(List.of(endpoint)).build();

            String state = client.cancelSyncIamUser(new CancelSyncIamUserRequest()
                .withClusterId("f7f45c04-4303-411c-9b71-d2cb730dd162")
                .withBody(new CancelSyncRequest().withUserNames(List.of("user1", "user2")).withGroupNames(List.of("groups1"))))
                .getState();
            assertEquals("synchronizing", state);
        }
    }
}
