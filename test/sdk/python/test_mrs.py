"""Huawei's Python SDK (huaweicloudsdkmrs) against a real emulator process: the five operations,
errors, retries, and every way the SDK authenticates."""
import json

import pytest
from huaweicloudsdkcore.auth.credentials import BasicCredentials
from huaweicloudsdkcore.exceptions import exceptions
from huaweicloudsdkcore.http.http_config import HttpConfig
from huaweicloudsdkcore.region.region import Region
from huaweicloudsdkcore.retry.backoff_strategy import BackoffStrategies
from huaweicloudsdkmrs.v2 import (CancelSyncIamUserRequest, CancelSyncRequest, ListSyncRequirementsRequest,
                                  ListSyncStatusRequest, MrsClient, ShowSyncIamUserRequest,
                                  UpdateSyncIamUserRequest, UpdateSyncRequest)

from emulator import CASES, SCHEME
from wire import assert_model_is_wire

PROJECT, CLUSTER = CASES["project_id"], CASES["cluster_id"]
AK, SK = CASES["ak"], CASES["sk"]


def mrs_client(emulator, ak=AK, sk=SK, project_id=PROJECT, security_token=None):
    credentials = BasicCredentials(ak, sk, project_id)
    if security_token is not None:
        credentials.with_security_token(security_token)
    return MrsClient.new_builder().with_credentials(credentials).with_endpoints([emulator.url]).build()


def five_operations(emulator, client):
    """Each operation through the SDK's client and models; each answer as the model parsed it."""
    steps = [
        ("UpdateSyncIamUser", 202, {"state": "synchronizing"}, client.update_sync_iam_user,
         UpdateSyncIamUserRequest(cluster_id=CLUSTER, body=UpdateSyncRequest(
             is_all_sync=False, user_names=["user1", "user2"], group_names=["groups1"]))),
        ("ShowSyncIamUser", 200, {"user_names": ["user1", "user2"], "group_names": ["groups1"]},
         client.show_sync_iam_user, ShowSyncIamUserRequest(cluster_id=CLUSTER)),
        ("ListSyncStatus", 200, {"is_synchronizing": False}, client.list_sync_status,
         ListSyncStatusRequest(cluster_id=CLUSTER)),
        ("ListSyncRequirements", 200, {"is_synchronous": True}, client.list_sync_requirements,
         ListSyncRequirementsRequest(cluster_id=CLUSTER)),
        ("CancelSyncIamUser", 202, {"state": "synchronizing"}, client.cancel_sync_iam_user,
         CancelSyncIamUserRequest(cluster_id=CLUSTER, body=CancelSyncRequest(
             user_names=["user1", "user2"], group_names=["groups1"]))),
        ("CancelSyncIamUser", 202, {"state": "synchronizing"}, client.cancel_sync_iam_user,
         CancelSyncIamUserRequest(cluster_id=CLUSTER)),
        ("ShowSyncIamUser", 200, {"user_names": [], "group_names": []}, client.show_sync_iam_user,
         ShowSyncIamUserRequest(cluster_id=CLUSTER)),
    ]
    for operation, status, expected, call, request in steps:
        response = call(request)
        assert response.status_code == status, operation
        assert json.loads(response.raw_content) == expected, operation
        assert_model_is_wire(response, response.raw_content)
        entry = emulator.last()
        assert (entry["operation"], entry["status"], entry["project_id"]) == (operation, status, PROJECT)
        assert entry["scheme"] == SCHEME, "the SDK spoke the leg's scheme"


def test_five_operations_strict_aksk(strict):
    five_operations(strict, mrs_client(strict))
    assert strict.last()["headers"]["authorization"] == "[REDACTED]"


def test_five_operations_permissive_any_aksk(permissive):
    five_operations(permissive, mrs_client(permissive, ak="ANY-AK", sk="any-sk"))


def test_the_cancel_body_reaches_the_emulator_as_the_model_serialised_it(strict):
    mrs_client(strict).cancel_sync_iam_user(CancelSyncIamUserRequest(
        cluster_id=CASES["synced_cluster_id"], body=CancelSyncRequest(user_names=["analyst"])))
    entry = strict.last()
    assert entry["body"] == {"user_names": ["analyst"]}
    assert entry["headers"]["content-type"].lower() == "application/json;charset=utf-8"
    shown = mrs_client(strict).show_sync_iam_user(ShowSyncIamUserRequest(cluster_id=CASES["synced_cluster_id"]))
    assert shown.user_names == ["etl_service"]


# A POST: the SDK's HTTP layer retries a 429 on other methods (see the next test).
@pytest.mark.parametrize("fault", CASES["faults"], ids=lambda fault: str(fault["status"]))
def test_fault_answers_raise_the_sdks_own_exceptions(strict, fault):
    rule = f"fault-{fault['status']}"
    strict.add_fault({"id": rule, "match": {"operation": "UpdateSyncIamUser"}, "action": fault, "times": 1})
    with pytest.raises(exceptions.ServiceResponseException) as raised:
        mrs_client(strict).update_sync_iam_user(UpdateSyncIamUserRequest(
            cluster_id=CLUSTER, body=UpdateSyncRequest(user_names=["user1"])))
    error = raised.value
    expected = exceptions.ClientRequestException if fault["status"] < 500 else exceptions.ServerResponseException
    assert type(error) is expected
    assert (error.status_code, error.error_code, error.error_msg) == (
        fault["status"], fault["error_code"], fault["error_msg"])
    entries = strict.journal(operation="UpdateSyncIamUser")
    assert [e["fault_id"] for e in entries] == [rule], "the rule answered, and the SDK retried nothing"
    assert error.request_id == entries[0]["request_id"]
    assert entries[0]["body"] == {"user_names": ["user1"]}


def test_429_on_a_get_or_delete_is_retried_by_the_http_layer_as_configured_and_otherwise_loses_the_body(strict):
    """The SDK's session retries 429 itself on the methods urllib3 deems idempotent (GET, PUT,
    DELETE, HEAD, OPTIONS, TRACE; never POST): urllib3's Retry, status_forcelist=[429],
    total=HttpConfig.retry_times, honouring Retry-After (huaweicloudsdkcore/http/http_client.py).
    With the default retry_times=0 urllib3 gives up at once and the SDK raises a
    ClientRequestException whose error_code is "429" and whose error_msg is urllib3's, not the
    body's (huaweicloudsdkcore/exceptions/exception_handler.py, process_retry_error)."""
    throttled = next(f for f in CASES["faults"] if f["status"] == 429)
    strict.add_fault({"id": "throttled", "match": {"operation": "ListSyncStatus"}, "times": 1,
                      "action": {**throttled, "headers": {"Retry-After": "0"}}})
    with pytest.raises(exceptions.ClientRequestException) as raised:
        mrs_client(strict).list_sync_status(ListSyncStatusRequest(cluster_id=CLUSTER))
    assert (raised.value.status_code, raised.value.error_code, raised.value.request_id) == (429, "429", "")
    assert "too many 429 error responses" in raised.value.error_msg

    strict.add_fault({"id": "throttled-twice", "match": {"operation": "ListSyncStatus"}, "times": 2,
                      "action": {**throttled, "headers": {"Retry-After": "0"}}})
    config = HttpConfig.get_default_config()
    config.retry_times = 2
    client = MrsClient.new_builder().with_http_config(config).with_credentials(BasicCredentials(AK, SK, PROJECT)) \
        .with_endpoints([strict.url]).build()
    assert client.list_sync_status(ListSyncStatusRequest(cluster_id=CLUSTER)).is_synchronizing is False
    assert [(e["status"], e["fault_id"]) for e in strict.journal(operation="ListSyncStatus")][-3:] == [
        (429, "throttled-twice"), (429, "throttled-twice"), (200, None)]


def test_the_emulators_own_errors(strict):
    client = mrs_client(strict)
    with pytest.raises(exceptions.ClientRequestException) as raised:
        client.cancel_sync_iam_user(CancelSyncIamUserRequest(cluster_id="no-such-cluster"))
    assert (raised.value.status_code, raised.value.error_code, raised.value.error_msg) == (
        400, "12000003", "The cluster does not exist.")
    assert raised.value.request_id == strict.last()["request_id"]

    status, body = strict.control("PUT", f"projects/{PROJECT}/clusters/{CLUSTER}", {
        "state": "running", "synced_users": [], "synced_groups": [],
        "sync_task": {"kind": "sync", "user_names": ["user1"], "group_names": [], "ends_at": "2999-01-01T00:00:00Z"}})
    assert status == 200, body
    with pytest.raises(exceptions.ServerResponseException) as raised:
        client.update_sync_iam_user(UpdateSyncIamUserRequest(cluster_id=CLUSTER, body=UpdateSyncRequest(is_all_sync=True)))
    assert (raised.value.status_code, raised.value.error_code) == (500, "12000154")
    assert client.list_sync_status(ListSyncStatusRequest(cluster_id=CLUSTER)).is_synchronizing is True


def test_strict_mode_refuses_a_wrong_secret_and_another_projects_key(strict):
    with pytest.raises(exceptions.ClientRequestException) as raised:
        mrs_client(strict, sk="wrong").list_sync_status(ListSyncStatusRequest(cluster_id=CLUSTER))
    assert (raised.value.status_code, raised.value.error_code, raised.value.error_msg) == (
        401, "APIGW.0301", "Incorrect IAM authentication information: verify aksk signature fail, the signature does not match")
    with pytest.raises(exceptions.ClientRequestException) as raised:
        mrs_client(strict, ak="EMULATORAK0000000002", sk="EmulatorSecretKey0000000000000000000002").list_sync_status(
            ListSyncStatusRequest(cluster_id=CLUSTER))
    assert (raised.value.status_code, raised.value.error_code) == (403, "APIGW.0306")


def test_the_sdks_retry_is_seen_in_the_journal(strict):
    strict.add_fault({"id": "twice-503", "match": {"operation": "ListSyncStatus"},
                      "action": {"status": 503, "error_code": "APIGW.0503", "error_msg": "Service unavailable."},
                      "times": 2})
    invoker = mrs_client(strict).list_sync_status_invoker(ListSyncStatusRequest(cluster_id=CLUSTER)).with_retry(
        retry_condition=lambda response, error: isinstance(error, exceptions.ServerResponseException),
        max_retries=3, backoff_strategy=BackoffStrategies.NONE)
    assert invoker.invoke().is_synchronizing is False
    entries = strict.journal(operation="ListSyncStatus")
    assert [(e["status"], e["fault_id"]) for e in entries] == [(503, "twice-503"), (503, "twice-503"), (200, None)]


# The SDK keeps the project id it found per AK and region for the life of the process: each
# case uses an AK of its own, so that each asks IAM.
@pytest.mark.parametrize("mode,ak,sk", [("strict", AK, SK), ("permissive", "REGION-AK", "any-sk")])
def test_the_region_way_asks_the_emulators_iam_for_the_project(mode, ak, sk, request):
    emulator = request.getfixturevalue(mode)
    credentials = BasicCredentials(ak, sk).with_iam_endpoint(emulator.url)
    client = MrsClient.new_builder().with_credentials(credentials) \
        .with_region(Region(CASES["region"], emulator.url)).build()
    assert client.list_sync_requirements(ListSyncRequirementsRequest(cluster_id=CLUSTER)).is_synchronous is False
    lookup, call = emulator.journal()[-2:]
    assert (lookup["operation"], lookup["path"]) == ("KeystoneListProjects", f"/v3/projects?name={CASES['region']}")
    assert (call["operation"], call["project_id"], call["status"]) == ("ListSyncRequirements", PROJECT, 200)


def test_an_unknown_region_is_the_sdks_own_error(strict):
    credentials = BasicCredentials(AK, SK).with_iam_endpoint(strict.url)
    with pytest.raises(exceptions.SdkException, match="Failed to get project id of region 'xx-nowhere-1'"):
        MrsClient.new_builder().with_credentials(credentials).with_region(Region("xx-nowhere-1", strict.url)).build() \
            .list_sync_status(ListSyncStatusRequest(cluster_id=CLUSTER))
