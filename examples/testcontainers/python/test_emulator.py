"""Huawei's MRS SDK for Python against the emulator in a container, started by Testcontainers.

With Docker running: pip install -r requirements.txt && pytest
The image: MRS_EMULATOR_IMAGE, else the release below (OWNER: see the README's "Install").
"""
import os
from collections.abc import Iterator

import pytest
from huaweicloudsdkcore.auth.credentials import BasicCredentials
from huaweicloudsdkmrs.v2 import CancelSyncIamUserRequest, CancelSyncRequest, MrsClient
from testcontainers.core.container import DockerContainer
from testcontainers.core.wait_strategies import HttpWaitStrategy

IMAGE = os.environ.get("MRS_EMULATOR_IMAGE", "ghcr.io/OWNER/mrs-emulator:0.2.0")


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    emulator = (DockerContainer(IMAGE)
                .with_exposed_ports(9336)
                # Signatures verified as the real gateway verifies them.
                .with_env("MRS_EMULATOR_AUTH", "strict")
                # Ready: the world is loaded and every plane answers.
                .waiting_for(HttpWaitStrategy(9336, "/_emulator/ready")))
    with emulator:
        # The port Docker mapped, as the SDK's endpoint.
        yield f"http://{emulator.get_container_host_ip()}:{emulator.get_exposed_port(9336)}"


def test_cancel_sync_iam_user(endpoint: str) -> None:
    credentials = BasicCredentials("EMULATORAK0000000001", "EmulatorSecretKey0000000000000000000001",
                                   "ff8080828997cb24018a1b2db3440b80")
    client = MrsClient.new_builder().with_credentials(credentials).with_endpoints([endpoint]).build()
    answer = client.cancel_sync_iam_user(CancelSyncIamUserRequest(
        cluster_id="f7f45c04-4303-411c-9b71-d2cb730dd162",
        body=CancelSyncRequest(user_names=["user1", "user2"], group_names=["groups1"])))
    assert answer.state == "synchronizing"
