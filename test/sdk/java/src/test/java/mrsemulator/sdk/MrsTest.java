package mrsemulator.sdk;

import com.fasterxml.jackson.databind.JsonNode;
import com.huaweicloud.sdk.core.SdkResponse;
import com.huaweicloud.sdk.core.auth.BasicCredentials;
import com.huaweicloud.sdk.core.exception.ClientRequestException;
import com.huaweicloud.sdk.core.exception.SdkException;
import com.huaweicloud.sdk.core.exception.ServerResponseException;
import com.huaweicloud.sdk.core.exception.ServiceResponseException;
import com.huaweicloud.sdk.core.region.Region;
import com.huaweicloud.sdk.core.retry.backoff.BackoffStrategy;
import com.huaweicloud.sdk.mrs.v2.MrsClient;
import com.huaweicloud.sdk.mrs.v2.model.CancelSyncIamUserRequest;
import com.huaweicloud.sdk.mrs.v2.model.CancelSyncRequest;
import com.huaweicloud.sdk.mrs.v2.model.ShowSyncIamUserRequest;
import com.huaweicloud.sdk.mrs.v2.model.UpdateSyncIamUserRequest;
import com.huaweicloud.sdk.mrs.v2.model.UpdateSyncRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import mrsemulator.sdk.SyncStatusClient.ClusterRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import static mrsemulator.sdk.Emulator.text;
import static mrsemulator.sdk.Wire.assertModelIsWire;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Huawei's Java SDK (huaweicloud-sdk-mrs) against a real emulator process. */
class MrsTest {
    static final String PROJECT = text("project_id");
    static final String CLUSTER = text("cluster_id");
    static final String AK = text("ak");
    static final String SK = text("sk");

    static BasicCredentials credentials(String ak, String sk, String projectId) {
        return new BasicCredentials().withAk(ak).withSk(sk).withProjectId(projectId);
    }

    static MrsClient mrsClient(Emulator emulator, BasicCredentials credentials) {
        return mrsClient(emulator, credentials, new Received());
    }

    /** A client whose answers `received` keeps. */
    static MrsClient mrsClient(Emulator emulator, BasicCredentials credentials, Received received) {
        return MrsClient.newBuilder().withCredential(credentials).withEndpoints(List.of(emulator.url))
            .withHttpConfig(received.config()).build();
    }

    static SyncStatusClient statusClient(Emulator emulator, BasicCredentials credentials) {
        return statusClient(emulator, credentials, new Received());
    }

    static SyncStatusClient statusClient(Emulator emulator, BasicCredentials credentials, Received received) {
        return SyncStatusClient.newBuilder().withCredential(credentials).withEndpoints(List.of(emulator.url))
            .withHttpConfig(received.config()).build();
    }

    record Step(String operation, int status, String expected, Supplier<SdkResponse> call) {}

    /** Each operation through the SDK's clients and models; each answer as the model parsed it. */
    static void fiveOperations(Emulator emulator, BasicCredentials credentials) throws Exception {
        Received received = new Received();
        MrsClient client = mrsClient(emulator, credentials, received);
        SyncStatusClient status = statusClient(emulator, credentials, received);
        List<String> users = List.of("user1", "user2");
        List<String> groups = List.of("groups1");
        List<Step> steps = List.of(
            new Step("UpdateSyncIamUser", 202, "{\"state\":\"synchronizing\"}", () -> client.updateSyncIamUser(new UpdateSyncIamUserRequest()
                .withClusterId(CLUSTER).withBody(new UpdateSyncRequest().withIsAllSync(false).withUserNames(users).withGroupNames(groups)))),
            new Step("ShowSyncIamUser", 200, "{\"user_names\":[\"user1\",\"user2\"],\"group_names\":[\"groups1\"]}",
                () -> client.showSyncIamUser(new ShowSyncIamUserRequest().withClusterId(CLUSTER))),
            new Step("ListSyncStatus", 200, "{\"is_synchronizing\":false}",
                () -> status.listSyncStatus(new ClusterRequest().withClusterId(CLUSTER))),
            new Step("ListSyncRequirements", 200, "{\"is_synchronous\":true}",
                () -> status.listSyncRequirements(new ClusterRequest().withClusterId(CLUSTER))),
            new Step("CancelSyncIamUser", 202, "{\"state\":\"synchronizing\"}", () -> client.cancelSyncIamUser(new CancelSyncIamUserRequest()
                .withClusterId(CLUSTER).withBody(new CancelSyncRequest().withUserNames(users).withGroupNames(groups)))),
            new Step("CancelSyncIamUser", 202, "{\"state\":\"synchronizing\"}",
                () -> client.cancelSyncIamUser(new CancelSyncIamUserRequest().withClusterId(CLUSTER))),
            new Step("ShowSyncIamUser", 200, "{\"user_names\":[],\"group_names\":[]}",
                () -> client.showSyncIamUser(new ShowSyncIamUserRequest().withClusterId(CLUSTER))));
        for (Step step : steps) {
            SdkResponse response = step.call().get();
            JsonNode entry = emulator.last();
            assertEquals(step.status(), response.getHttpStatusCode(), step.operation());
            assertEquals(step.operation(), entry.get("operation").asText());
            assertEquals(step.status(), entry.get("status").asInt());
            assertEquals(PROJECT, entry.get("project_id").asText());
            assertEquals(Emulator.SCHEME, entry.get("scheme").asText(), "the SDK spoke the leg's scheme");
            assertEquals(Emulator.JSON.readTree(step.expected()), received.body(), step.operation());
            assertModelIsWire(response, received.body());
        }
    }

    @Test
    void fiveOperationsStrictAkSk() throws Exception {
        Emulator emulator = Emulator.strict();
        fiveOperations(emulator, credentials(AK, SK, PROJECT));
        assertEquals("[REDACTED]", emulator.last().get("headers").get("authorization").asText());
    }

    @Test
    void fiveOperationsPermissiveAnyAkSk() throws Exception {
        fiveOperations(Emulator.permissive(), credentials("ANY-AK", "any-sk", PROJECT));
    }

    static Stream<JsonNode> faults() {
        return StreamSupport.stream(Emulator.CASES.get("faults").spliterator(), false);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("faults")
    void faultAnswersRaiseTheSdksOwnExceptions(JsonNode fault) {
        Emulator emulator = Emulator.strict();
        String rule = "fault-" + fault.get("status").asInt();
        emulator.addFault(Map.of("id", rule, "match", Map.of("operation", "CancelSyncIamUser"), "action", fault, "times", 1));
        ServiceResponseException error = assertThrows(ServiceResponseException.class, () -> mrsClient(emulator, credentials(AK, SK, PROJECT))
            .cancelSyncIamUser(new CancelSyncIamUserRequest().withClusterId(CLUSTER).withBody(new CancelSyncRequest().withUserNames(List.of("user1")))));
        int status = fault.get("status").asInt();
        assertSame(status < 500 ? ClientRequestException.class : ServerResponseException.class, error.getClass());
        assertEquals(status, error.getHttpStatusCode());
        assertEquals(fault.get("error_code").asText(), error.getErrorCode());
        assertEquals(fault.get("error_msg").asText(), error.getErrorMsg());
        JsonNode entries = emulator.journal(Map.of("operation", "CancelSyncIamUser"));
        assertEquals(1, entries.size(), "the SDK retries nothing unless asked");
        assertEquals(rule, entries.get(0).get("fault_id").asText(), "the rule answered");
        assertEquals(entries.get(0).get("request_id").asText(), error.getRequestId());
        assertEquals(Emulator.JSON.createObjectNode().set("user_names", Emulator.JSON.createArrayNode().add("user1")), entries.get(0).get("body"));
    }

    @Test
    void theEmulatorsOwnErrors() {
        Emulator emulator = Emulator.strict();
        MrsClient client = mrsClient(emulator, credentials(AK, SK, PROJECT));
        ClientRequestException missing = assertThrows(ClientRequestException.class,
            () -> client.cancelSyncIamUser(new CancelSyncIamUserRequest().withClusterId("no-such-cluster")));
        assertEquals(List.of(400, "12000003", "The cluster does not exist."), List.of(missing.getHttpStatusCode(), missing.getErrorCode(), missing.getErrorMsg()));
        assertEquals(emulator.last().get("request_id").asText(), missing.getRequestId());

        Emulator.Answer put = emulator.control("PUT", "projects/" + PROJECT + "/clusters/" + CLUSTER, Map.of(
            "state", "running", "synced_users", List.of(), "synced_groups", List.of(),
            "sync_task", Map.of("kind", "sync", "user_names", List.of("user1"), "group_names", List.of(), "ends_at", "2999-01-01T00:00:00Z")));
        assertEquals(200, put.status(), String.valueOf(put.body()));
        ServerResponseException running = assertThrows(ServerResponseException.class, () -> client.updateSyncIamUser(
            new UpdateSyncIamUserRequest().withClusterId(CLUSTER).withBody(new UpdateSyncRequest().withIsAllSync(true))));
        assertEquals(List.of(500, "12000154"), List.of(running.getHttpStatusCode(), running.getErrorCode()));
        assertTrue(statusClient(emulator, credentials(AK, SK, PROJECT)).listSyncStatus(new ClusterRequest().withClusterId(CLUSTER)).getIsSynchronizing());
    }

    @Test
    void strictModeRefusesAWrongSecretAndAnotherProjectsKey() {
        Emulator emulator = Emulator.strict();
        ClientRequestException wrong = assertThrows(ClientRequestException.class,
            () -> mrsClient(emulator, credentials(AK, "wrong", PROJECT)).showSyncIamUser(new ShowSyncIamUserRequest().withClusterId(CLUSTER)));
        assertEquals(List.of(401, "APIGW.0301", "Incorrect IAM authentication information: verify aksk signature fail, the signature does not match"),
            List.of(wrong.getHttpStatusCode(), wrong.getErrorCode(), wrong.getErrorMsg()));
        ClientRequestException other = assertThrows(ClientRequestException.class,
            () -> mrsClient(emulator, credentials("EMULATORAK0000000002", "EmulatorSecretKey0000000000000000000002", PROJECT))
                .showSyncIamUser(new ShowSyncIamUserRequest().withClusterId(CLUSTER)));
        assertEquals(List.of(403, "APIGW.0306"), List.of(other.getHttpStatusCode(), other.getErrorCode()));
    }

    @Test
    void theSdksRetryIsSeenInTheJournal() {
        Emulator emulator = Emulator.strict();
        emulator.addFault(Map.of("id", "twice-503", "match", Map.of("operation", "ListSyncStatus"), "times", 2,
            "action", Map.of("status", 503, "error_code", "APIGW.0503", "error_msg", "Service unavailable.")));
        SyncStatusClient.ListSyncStatusResponse response = statusClient(emulator, credentials(AK, SK, PROJECT))
            .listSyncStatusInvoker(new ClusterRequest().withClusterId(CLUSTER))
            .withRetry(3, (answer, error) -> error instanceof ServerResponseException, BackoffStrategy.NO_BACKOFF)
            .invoke();
        assertFalse(response.getIsSynchronizing());
        List<String> seen = new ArrayList<>();
        emulator.journal(Map.of("operation", "ListSyncStatus")).forEach(e -> seen.add(e.get("status").asInt() + " " + e.get("fault_id").asText("-")));
        assertEquals(List.of("503 twice-503", "503 twice-503", "200 -"), seen);
    }

    /** The SDK keeps the project id it found per AK and region: each case has an AK of its own. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("modes")
    void theRegionWayAsksTheEmulatorsIamForTheProject(String mode, String ak, String sk) {
        Emulator emulator = mode.equals("strict") ? Emulator.strict() : Emulator.permissive();
        BasicCredentials credentials = new BasicCredentials().withAk(ak).withSk(sk).withIamEndpoint(emulator.url);
        SyncStatusClient client = SyncStatusClient.newBuilder().withCredential(credentials)
            .withRegion(new Region(text("region"), emulator.url)).build();
        assertFalse(client.listSyncRequirements(new ClusterRequest().withClusterId(CLUSTER)).getIsSynchronous());
        JsonNode entries = emulator.journal(Map.of());
        JsonNode lookup = entries.get(entries.size() - 2);
        JsonNode call = entries.get(entries.size() - 1);
        assertEquals("KeystoneListProjects", lookup.get("operation").asText());
        assertEquals("/v3/projects?name=" + text("region"), lookup.get("path").asText());
        assertEquals(List.of("ListSyncRequirements", PROJECT, 200), List.of(call.get("operation").asText(), call.get("project_id").asText(), call.get("status").asInt()));
    }

    static Stream<org.junit.jupiter.params.provider.Arguments> modes() {
        return Stream.of(org.junit.jupiter.params.provider.Arguments.of("strict", AK, SK),
            org.junit.jupiter.params.provider.Arguments.of("permissive", "REGION-AK", "any-sk"));
    }

    @Test
    void anUnknownRegionIsTheSdksOwnError() {
        Emulator emulator = Emulator.strict();
        BasicCredentials credentials = new BasicCredentials().withAk(AK).withSk(SK).withIamEndpoint(emulator.url);
        SdkException error = assertThrows(SdkException.class, () -> MrsClient.newBuilder().withCredential(credentials)
            .withRegion(new Region("xx-nowhere-1", emulator.url)).build()
            .showSyncIamUser(new ShowSyncIamUserRequest().withClusterId(CLUSTER)));
        assertTrue(error.getMessage().toLowerCase().contains("failed to get project id of region 'xx-nowhere-1'"), error.getMessage());
    }
}
