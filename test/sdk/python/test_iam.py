"""Huawei's Python IAM SDK (huaweicloudsdkiam) against the emulator's IAM face, and what its
answers unlock: a project-scoped token, then a temporary AK/SK with its security token for MRS.

The Python SDK signs MRS calls with AK/SK only (BasicCredentials: AK/SK, optionally a security
token, or a federated id token: huaweicloudsdkcore/auth/credentials.py); it has no way to send
an IAM token as X-Auth-Token. A token is used the SDK's way: exchanged for a temporary key."""
import pytest
from huaweicloudsdkcore.auth.credentials import BasicCredentials, GlobalCredentials
from huaweicloudsdkcore.exceptions import exceptions
from huaweicloudsdkcore.region.region import Region
from huaweicloudsdkiam.v3 import (AuthScope, AuthScopeProject, CreateTemporaryAccessKeyByTokenRequest,
                                  CreateTemporaryAccessKeyByTokenRequestBody, IamClient, IdentityToken,
                                  KeystoneCreateUserTokenByPasswordRequest,
                                  KeystoneCreateUserTokenByPasswordRequestBody, KeystoneListProjectsRequest,
                                  PwdAuth, PwdIdentity, PwdPassword, PwdPasswordUser, PwdPasswordUserDomain,
                                  TokenAuth, TokenAuthIdentity)
from huaweicloudsdkmrs.v2 import ListSyncStatusRequest, MrsClient

from emulator import CASES
from wire import assert_model_is_wire

AK, SK, PROJECT = CASES["ak"], CASES["sk"], CASES["project_id"]


def iam_client(emulator, domain_id=CASES["domain_id"], ak=AK, sk=SK):
    return IamClient.new_builder().with_credentials(GlobalCredentials(ak, sk, domain_id)) \
        .with_endpoints([emulator.url]).build()


def user_token(emulator, password=CASES["user"]["password"]):
    return iam_client(emulator).keystone_create_user_token_by_password(KeystoneCreateUserTokenByPasswordRequest(
        nocatalog="true",
        body=KeystoneCreateUserTokenByPasswordRequestBody(auth=PwdAuth(
            identity=PwdIdentity(methods=["password"], password=PwdPassword(user=PwdPasswordUser(
                domain=PwdPasswordUserDomain(name=CASES["domain_name"]),
                name=CASES["user"]["name"], password=password))),
            scope=AuthScope(project=AuthScopeProject(name=CASES["region"]))))))


def temporary_key(emulator, token, seconds=3600):
    return iam_client(emulator).create_temporary_access_key_by_token(CreateTemporaryAccessKeyByTokenRequest(
        body=CreateTemporaryAccessKeyByTokenRequestBody(auth=TokenAuth(identity=TokenAuthIdentity(
            methods=["token"], token=IdentityToken(id=token, duration_seconds=seconds))))))


@pytest.mark.parametrize("mode", ["strict", "permissive"])
def test_keystone_list_projects(mode, request):
    emulator = request.getfixturevalue(mode)
    response = iam_client(emulator).keystone_list_projects(KeystoneListProjectsRequest(name=CASES["region"]))
    assert response.status_code == 200
    assert_model_is_wire(response, response.raw_content)
    assert [(p.id, p.name, p.domain_id) for p in response.projects] == [(PROJECT, CASES["region"], CASES["domain_id"])]


def test_global_credentials_without_a_domain_id_ask_iam_for_it(strict):
    # The SDK keeps the domain id it found per AK for the life of the process: this AK (the
    # other project's; IAM takes any key of the account) is used nowhere else.
    credentials = GlobalCredentials("EMULATORAK0000000002", "EmulatorSecretKey0000000000000000000002") \
        .with_iam_endpoint(strict.url)
    client = IamClient.new_builder().with_credentials(credentials) \
        .with_region(Region(CASES["region"], strict.url)).build()
    response = client.keystone_list_projects(KeystoneListProjectsRequest())
    assert {p.id for p in response.projects} == {PROJECT, CASES["other_project_id"]}
    lookup, call = strict.journal()[-2:]
    assert lookup["operation"] == "KeystoneListAuthDomains"
    assert call["headers"]["x-domain-id"] == CASES["domain_id"]


def test_a_token_then_a_temporary_key_then_mrs_with_its_security_token(strict):
    token = user_token(strict)
    assert token.status_code == 201
    assert_model_is_wire(token, token.raw_content)
    assert token.x_subject_token
    assert (token.token.project.id, token.token.user.name, token.token.methods) == (PROJECT, "user1", ["password"])
    assert strict.last()["response"]["headers"]["x-subject-token"] == "[REDACTED]"

    key = temporary_key(strict, token.x_subject_token)
    assert key.status_code == 201
    assert_model_is_wire(key, key.raw_content)
    assert strict.last()["body"]["auth"]["identity"]["token"]["id"] == "[REDACTED]"

    credentials = BasicCredentials(key.credential.access, key.credential.secret, PROJECT) \
        .with_security_token(key.credential.securitytoken)
    client = MrsClient.new_builder().with_credentials(credentials).with_endpoints([strict.url]).build()
    assert client.list_sync_status(ListSyncStatusRequest(cluster_id=CASES["cluster_id"])).is_synchronizing is False
    assert strict.last()["headers"]["x-security-token"] == "[REDACTED]"

    # Past its expiry on the emulator's clock, the gateway's answer for an expired credential.
    assert strict.control("POST", "clock", {"advance_ms": 3601 * 1000})[0] == 200
    with pytest.raises(exceptions.ClientRequestException) as raised:
        client.list_sync_status(ListSyncStatusRequest(cluster_id=CASES["cluster_id"]))
    assert (raised.value.status_code, raised.value.error_code, raised.value.error_msg) == (
        401, "APIGW.0307", "The token must be updated.")


def test_a_wrong_password_is_keystones_401(strict):
    with pytest.raises(exceptions.ClientRequestException) as raised:
        user_token(strict, password="wrong")
    # Keystone's body {"error": {"code", "message", "title"}}, as the SDK reads it.
    assert (raised.value.status_code, raised.value.error_code, raised.value.error_msg) == (
        401, 401, "The username or password is wrong.")
    assert raised.value.request_id == strict.last()["request_id"]
    assert strict.last()["response"]["body"]["error"]["message"] == "The username or password is wrong."
