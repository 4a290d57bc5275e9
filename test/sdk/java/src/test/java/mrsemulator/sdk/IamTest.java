package mrsemulator.sdk;

import com.fasterxml.jackson.databind.JsonNode;
import com.huaweicloud.sdk.core.auth.BasicCredentials;
import com.huaweicloud.sdk.core.auth.GlobalCredentials;
import com.huaweicloud.sdk.core.exception.ClientRequestException;
import com.huaweicloud.sdk.core.region.Region;
import com.huaweicloud.sdk.iam.v3.IamClient;
import com.huaweicloud.sdk.iam.v3.model.AuthScope;
import com.huaweicloud.sdk.iam.v3.model.AuthScopeProject;
import com.huaweicloud.sdk.iam.v3.model.CreateTemporaryAccessKeyByTokenRequest;
import com.huaweicloud.sdk.iam.v3.model.CreateTemporaryAccessKeyByTokenRequestBody;
import com.huaweicloud.sdk.iam.v3.model.CreateTemporaryAccessKeyByTokenResponse;
import com.huaweicloud.sdk.iam.v3.model.IdentityToken;
import com.huaweicloud.sdk.iam.v3.model.KeystoneCreateUserTokenByPasswordRequest;
import com.huaweicloud.sdk.iam.v3.model.KeystoneCreateUserTokenByPasswordRequestBody;
import com.huaweicloud.sdk.iam.v3.model.KeystoneCreateUserTokenByPasswordResponse;
import com.huaweicloud.sdk.iam.v3.model.KeystoneListProjectsRequest;
import com.huaweicloud.sdk.iam.v3.model.KeystoneListProjectsResponse;
import com.huaweicloud.sdk.iam.v3.model.PwdAuth;
import com.huaweicloud.sdk.iam.v3.model.PwdIdentity;
import com.huaweicloud.sdk.iam.v3.model.PwdPassword;
import com.huaweicloud.sdk.iam.v3.model.PwdPasswordUser;
import com.huaweicloud.sdk.iam.v3.model.PwdPasswordUserDomain;
import com.huaweicloud.sdk.iam.v3.model.TokenAuth;
import com.huaweicloud.sdk.iam.v3.model.TokenAuthIdentity;
import com.huaweicloud.sdk.mrs.v2.model.ShowSyncIamUserRequest;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static mrsemulator.sdk.Emulator.text;
import static mrsemulator.sdk.Wire.assertModelIsWire;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Huawei's Java IAM client against the emulator's IAM face, and what its answers unlock: a
 * project-scoped token, then a temporary AK/SK with its security token for MRS.
 *
 * The Java SDK signs MRS calls with AK/SK only (BasicCredentials: AK/SK, optionally a security
 * token, or a federated id token); it has no IAM-token credential. A token is used the SDK's way:
 * exchanged for a temporary key.
 */
class IamTest {
    static IamClient iamClient(Emulator emulator, Received received) {
        GlobalCredentials credentials = new GlobalCredentials().withAk(text("ak")).withSk(text("sk")).withDomainId(text("domain_id"));
        return IamClient.newBuilder().withCredential(credentials).withEndpoints(List.of(emulator.url))
            .withHttpConfig(received.config()).build();
    }

    static KeystoneCreateUserTokenByPasswordResponse userToken(Emulator emulator, String password, Received received) {
        JsonNode user = Emulator.CASES.get("user");
        return iamClient(emulator, received).keystoneCreateUserTokenByPassword(new KeystoneCreateUserTokenByPasswordRequest()
            .withNocatalog("true")
            .withBody(new KeystoneCreateUserTokenByPasswordRequestBody().withAuth(new PwdAuth()
                .withIdentity(new PwdIdentity().withMethods(List.of(PwdIdentity.MethodsEnum.PASSWORD))
                    .withPassword(new PwdPassword().withUser(new PwdPasswordUser()
                        .withDomain(new PwdPasswordUserDomain().withName(text("domain_name")))
                        .withName(user.get("name").asText()).withPassword(password))))
                .withScope(new AuthScope().withProject(new AuthScopeProject().withName(text("region")))))));
    }

    @ParameterizedTest
    @ValueSource(strings = {"strict", "permissive"})
    void keystoneListProjects(String mode) throws Exception {
        Emulator emulator = mode.equals("strict") ? Emulator.strict() : Emulator.permissive();
        Received received = new Received();
        KeystoneListProjectsResponse response = iamClient(emulator, received).keystoneListProjects(new KeystoneListProjectsRequest().withName(text("region")));
        assertEquals(200, response.getHttpStatusCode());
        assertModelIsWire(response, received.body());
        assertEquals(1, response.getProjects().size());
        assertEquals(List.of(text("project_id"), text("region"), text("domain_id")), List.of(
            response.getProjects().get(0).getId(), response.getProjects().get(0).getName(), response.getProjects().get(0).getDomainId()));
    }

    @Test
    void globalCredentialsWithoutADomainIdAskIamForIt() {
        Emulator emulator = Emulator.strict();
        // The SDK keeps the domain id it found per AK: this AK (the other project's; IAM takes any
        // key of the account) is used nowhere else.
        GlobalCredentials credentials = new GlobalCredentials().withAk("EMULATORAK0000000002")
            .withSk("EmulatorSecretKey0000000000000000000002").withIamEndpoint(emulator.url);
        IamClient client = IamClient.newBuilder().withCredential(credentials).withRegion(new Region(text("region"), emulator.url)).build();
        assertEquals(2, client.keystoneListProjects(new KeystoneListProjectsRequest()).getProjects().size());
        JsonNode entries = emulator.journal(Map.of());
        assertEquals("KeystoneListAuthDomains", entries.get(entries.size() - 2).get("operation").asText());
        assertEquals(text("domain_id"), entries.get(entries.size() - 1).get("headers").get("x-domain-id").asText());
    }

    @Test
    void aTokenThenATemporaryKeyThenMrsWithItsSecurityToken() throws Exception {
        Emulator emulator = Emulator.strict();
        Received received = new Received();
        KeystoneCreateUserTokenByPasswordResponse token = userToken(emulator, Emulator.CASES.get("user").get("password").asText(), received);
        assertEquals(201, token.getHttpStatusCode());
        JsonNode entry = emulator.last();
        assertModelIsWire(token, received.body());
        assertFalse(token.getXSubjectToken().isEmpty());
        assertEquals(text("project_id"), token.getToken().getProject().getId());
        assertEquals("[REDACTED]", entry.get("response").get("headers").get("x-subject-token").asText());

        CreateTemporaryAccessKeyByTokenResponse key = iamClient(emulator, received).createTemporaryAccessKeyByToken(new CreateTemporaryAccessKeyByTokenRequest()
            .withBody(new CreateTemporaryAccessKeyByTokenRequestBody().withAuth(new TokenAuth().withIdentity(new TokenAuthIdentity()
                .withMethods(List.of(TokenAuthIdentity.MethodsEnum.TOKEN))
                .withToken(new IdentityToken().withId(token.getXSubjectToken()).withDurationSeconds(3600))))));
        assertEquals(201, key.getHttpStatusCode());
        assertModelIsWire(key, received.body());

        BasicCredentials temporary = new BasicCredentials().withAk(key.getCredential().getAccess()).withSk(key.getCredential().getSecret())
            .withSecurityToken(key.getCredential().getSecuritytoken()).withProjectId(text("project_id"));
        var client = MrsTest.mrsClient(emulator, temporary);
        assertEquals(List.of(), client.showSyncIamUser(new ShowSyncIamUserRequest().withClusterId(text("cluster_id"))).getUserNames());
        assertEquals("[REDACTED]", emulator.last().get("headers").get("x-security-token").asText());

        // Past its expiry on the emulator's clock, the gateway's answer for an expired credential.
        assertEquals(200, emulator.control("POST", "clock", Map.of("advance_ms", 3601 * 1000)).status());
        ClientRequestException expired = assertThrows(ClientRequestException.class,
            () -> client.showSyncIamUser(new ShowSyncIamUserRequest().withClusterId(text("cluster_id"))));
        assertEquals(List.of(401, "APIGW.0307", "The token must be updated."),
            List.of(expired.getHttpStatusCode(), expired.getErrorCode(), expired.getErrorMsg()));
    }

    @Test
    void aWrongPasswordIsKeystones401() {
        Emulator emulator = Emulator.strict();
        ClientRequestException error = assertThrows(ClientRequestException.class, () -> userToken(emulator, "wrong", new Received()));
        // Keystone's body {"error": {"code", "message", "title"}}, as the SDK reads it.
        assertEquals(List.of(401, "401", "The username or password is wrong."),
            List.of(error.getHttpStatusCode(), error.getErrorCode(), error.getErrorMsg()));
        assertEquals(emulator.last().get("request_id").asText(), error.getRequestId());
    }
}
