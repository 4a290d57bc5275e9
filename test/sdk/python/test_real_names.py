"""Unchanged code, default endpoints: a client configured by region alone reaches the emulator by
the real host names. In a network namespace of its own (`ip netns exec` gives it its own
/etc/hosts, from /etc/netns/NAME/hosts), mrs.cn-north-4.myhuaweicloud.com and the IAM names
resolve to the emulator, which serves them over https on port 443 (--tls auto). The client
trusts the emulator's CA, and names no endpoint and no project: the SDK asks IAM for the project,
then calls MRS, each at its default https:// endpoint.

Needs root and `ip` (iproute2); skipped otherwise, unless CI_REQUIRE_NETNS is set (.ci/run)."""
import json
import os
import pathlib
import shutil
import subprocess
import sys
import textwrap

import pytest

from emulator import CASES, SERVER

NAMES = ["mrs.cn-north-4.myhuaweicloud.com", "iam.cn-north-4.myhuaweicloud.com", "iam.myhuaweicloud.com"]
PROGRAM = textwrap.dedent("""\
    from huaweicloudsdkcore.auth.credentials import BasicCredentials
    from huaweicloudsdkmrs.v2 import CancelSyncIamUserRequest, CancelSyncRequest, MrsClient
    from huaweicloudsdkmrs.v2.region.mrs_region import MrsRegion

    credentials = BasicCredentials("{ak}", "{sk}")
    client = MrsClient.new_builder().with_credentials(credentials) \\
        .with_region(MrsRegion.value_of("cn-north-4")).build()
    answer = client.cancel_sync_iam_user(CancelSyncIamUserRequest(
        cluster_id="{cluster}", body=CancelSyncRequest(user_names=["user1"])))
    print(answer.state)
    """)


def why_not():
    if os.geteuid() != 0:
        return "needs root, for ip netns and port 443"
    if shutil.which("ip") is None:
        return "needs ip (iproute2)"
    return None


@pytest.fixture
def namespace():
    reason = why_not()
    if reason is not None:
        if os.environ.get("CI_REQUIRE_NETNS"):
            pytest.fail(reason)
        pytest.skip(reason)
    name = f"mrs-emulator-{os.getpid()}"
    hosts = pathlib.Path("/etc/netns") / name
    hosts.mkdir(parents=True)
    (hosts / "hosts").write_text("127.0.0.1 localhost\n" + "".join(f"127.0.0.1 {n}\n" for n in NAMES))
    subprocess.run(["ip", "netns", "add", name], check=True)
    try:
        subprocess.run(["ip", "netns", "exec", name, "ip", "link", "set", "lo", "up"], check=True)
        yield name
    finally:
        subprocess.run(["ip", "netns", "delete", name], check=False)
        shutil.rmtree(hosts, ignore_errors=True)


def test_a_client_configured_by_region_alone_reaches_the_emulator_by_the_real_names(namespace, tmp_path):
    tls = tmp_path / "ca"
    emulator = subprocess.Popen(
        ["ip", "netns", "exec", namespace, os.environ.get("MRS_EMULATOR_NODE", "node"), str(SERVER),
         "--port", "443", "--log-level", "warn", "--auth", "strict", "--tls", "auto", "--tls-dir", str(tls)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        line = emulator.stdout.readline()
        assert "listening on http://127.0.0.1:443 and https://127.0.0.1:443" in line, line
        # The CA, beside the machine's own (the bundle REQUESTS_CA_BUNDLE names replaces them).
        system = pathlib.Path("/etc/ssl/certs/ca-certificates.crt")
        bundle = tmp_path / "bundle.pem"
        bundle.write_text((system.read_text() if system.exists() else "") + (tls / "ca.pem").read_text())
        program = tmp_path / "main.py"
        program.write_text(PROGRAM.format(ak=CASES["ak"], sk=CASES["sk"], cluster=CASES["cluster_id"]))
        env = {**os.environ, "REQUESTS_CA_BUNDLE": str(bundle)}
        # No endpoint anywhere: not in the program, not in the environment.
        for variable in ("HUAWEICLOUD_SDK_IAM_ENDPOINT", "HUAWEICLOUD_SDK_MRS_ENDPOINT"):
            env.pop(variable, None)
        run = subprocess.run(["ip", "netns", "exec", namespace, sys.executable, str(program)],
                             env=env, capture_output=True, text=True, timeout=60)
        assert run.returncode == 0, run.stderr
        assert run.stdout == "synchronizing\n"
        # What the emulator saw, asked over plain http on the same port: IAM, then MRS, by name.
        journal = subprocess.run(
            ["ip", "netns", "exec", namespace, sys.executable, "-c",
             "import json, urllib.request; print(json.dumps([(r['operation'], r['scheme'], r['headers']['host'])"
             " for r in json.load(urllib.request.urlopen('http://127.0.0.1:443/_emulator/requests'))['requests']]))"],
            capture_output=True, text=True, timeout=30, check=True)
        assert json.loads(journal.stdout) == [
            ["KeystoneListProjects", "https", "iam.cn-north-4.myhuaweicloud.com"],
            ["CancelSyncIamUser", "https", "mrs.cn-north-4.myhuaweicloud.com"]]
    finally:
        emulator.terminate()
        emulator.wait(10)
