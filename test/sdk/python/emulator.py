"""A real emulator process for the Python SDK suite, and the control plane it is driven by."""
import json
import os
import pathlib
import re
import subprocess
import threading
import urllib.error
import urllib.parse
import urllib.request

ROOT = pathlib.Path(__file__).resolve().parents[3]
SERVER = ROOT / "dist" / "src" / "server.js"
CASES = json.loads((ROOT / "test" / "sdk" / "cases.json").read_text())
# The scheme the SDKs speak to the emulator: the one parameter an https:// leg changes. With
# https, every emulator serves TLS from one local CA (test/sdk/run makes it, and has every client
# trust it the way users do: REQUESTS_CA_BUNDLE, SSL_CERT_FILE).
SCHEME = os.environ.get("MRS_EMULATOR_SDK_SCHEME", "http")
TLS_ARGS = ["--tls", "auto", "--tls-dir", os.environ["MRS_EMULATOR_SDK_TLS_DIR"]] if SCHEME == "https" else []


class Emulator:
    """`node dist/src/server.js` on a free port, in one authentication mode."""

    def __init__(self, auth):
        if not SERVER.exists():
            raise RuntimeError(f"{SERVER} is missing: run npm run build first")
        self.process = subprocess.Popen(
            [os.environ.get("MRS_EMULATOR_NODE", "node"), str(SERVER), "--port", "0",
             "--log-level", "warn", "--auth", auth, *TLS_ARGS],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.url = self._wait_for_url()

    def _wait_for_url(self):
        found = {}

        listening = threading.Event()

        def read():
            # To the end, so that the emulator never blocks on a full pipe.
            for line in self.process.stdout:
                # "listening on http://… and https://… (CA: …)" with TLS.
                match = re.search(rf"listening on (?:\S+ and )?({SCHEME}://\S+)", line)
                if match and not listening.is_set():
                    found["url"] = match.group(1)
                    listening.set()
        threading.Thread(target=read, daemon=True).start()
        if not listening.wait(30):
            self.stop()
            raise RuntimeError("the emulator printed no URL within 30 s")
        return found["url"]

    def stop(self):
        self.process.terminate()
        self.process.wait(10)

    def control(self, method, path, body=None):
        """A control-plane call: (status, parsed JSON body or None)."""
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(f"{self.url}/_emulator/{path}", data=data, method=method,
                                         headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=10) as answer:
                status, text = answer.status, answer.read()
        except urllib.error.HTTPError as error:
            status, text = error.code, error.read()
        return status, (json.loads(text) if text else None)

    def reset(self):
        assert self.control("POST", "reset")[0] == 200

    def add_fault(self, rule):
        status, body = self.control("POST", "faults", rule)
        assert status == 201, body

    def journal(self, **filters):
        """The journal's entries, oldest first."""
        status, body = self.control("GET", "requests?" + urllib.parse.urlencode(filters))
        assert status == 200, body
        return body["requests"]

    def last(self):
        return self.journal(limit=1)[0]
