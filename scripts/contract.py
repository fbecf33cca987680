#!/usr/bin/env python3
"""The OpenAPI contract, proven from outside: schemathesis against a fresh deskd (SPEC §8).

Starts the given deskd on a free loopback port over a temporary database with the demo
catalogue, then
  1. runs schemathesis (PyPI) over every operation of `openapi.yaml` but the display stream,
     with every check (schemathesis enables all by default; `schemathesis.toml` at the root
     lists, with their reasons, the few rules JSON Schema cannot state), and fails unless it
     reports 0 failures, 0 errors and at least `--min-cases` generated cases;
  2. reads the display stream (`GET /api/v1/queue/display`, which never ends by design) with a
     read timeout: its answer must be `200 text/event-stream` and carry the hall's state as
     the document says, and a stream without a display or admin token must be refused as a
     problem.
Loopback only; every wait is bounded; the daemon is stopped at the end whatever happens.

    python3 scripts/contract.py --deskd .build/debug/deskd [--seed 1] [--max-examples 80]
"""

import argparse
import http.client
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

from deskd_process import Deskd


def api(port, token, method, path, body=None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    headers = {"Authorization": f"Bearer {token}"}
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    connection.request(method, path, body=data, headers=headers)
    response = connection.getresponse()
    answer = response.read()
    if response.status >= 300:
        raise SystemExit(f"{method} {path}: {response.status} {answer[:300]!r}")
    return json.loads(answer) if answer else None


def read_event(response, buffer):
    """Reads up to the next blank line (one SSE block) under the socket's read timeout."""
    while b"\n\n" not in buffer:
        chunk = response.read1(4096)
        if not chunk:
            raise SystemExit("display stream: closed by the server")
        buffer += chunk
    block, rest = buffer.split(b"\n\n", 1)
    return block.decode(), rest


def display_stream(port, token):
    """The display stream stays open and carries each call as it is made."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    connection.request("GET", "/api/v1/queue/display", headers={"Authorization": f"Bearer {token}"})
    response = connection.getresponse()
    if response.status != 200:
        raise SystemExit(f"display stream: {response.status}, expected 200")
    kind = response.getheader("Content-Type", "")
    if not kind.startswith("text/event-stream"):
        raise SystemExit(f"display stream: Content-Type {kind!r}, expected text/event-stream")
    connection.sock.settimeout(5)  # the read timeout: the stream never ends by itself
    block, buffer = read_event(response, b"")
    if not block.startswith("retry:"):
        raise SystemExit(f"display stream: first block {block!r}, expected the reconnection delay")
    # A call made now reaches the open stream.
    api(port, token, "POST", "/api/v1/counters", {"number": 90, "name": "Quầy 90", "services": ["HD-TTHC"], "open": True})
    issued = api(port, token, "POST", "/api/v1/queue-numbers", {"service": "HD-TTHC"})
    api(port, token, "POST", "/api/v1/counters/90/call-next")
    block, buffer = read_event(response, buffer)
    while block.startswith(":"):  # heartbeats
        block, buffer = read_event(response, buffer)
    fields = dict(line.split(": ", 1) for line in block.splitlines() if ": " in line)
    call = json.loads(fields.get("data", "{}"))
    if fields.get("event") != "call" or call.get("label") != issued["number"]["label"] or call.get("counter") != 90:
        raise SystemExit(f"display stream: expected the call of {issued['number']['label']} to counter 90, got {block!r}")
    connection.close()

    anonymous = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    anonymous.request("GET", "/api/v1/queue/display")
    refused = anonymous.getresponse()
    body = refused.read()
    if refused.status != 401 or refused.getheader("Content-Type", "") != "application/problem+json":
        raise SystemExit(f"display stream without a token: {refused.status} {body[:200]!r}, expected a 401 problem")
    print(f"display stream: the call of {call['label']} arrived on the open stream (5 s read timeout); 401 problem without a token")


# schemathesis with `ast.parse` behind a lock. Its workers are threads, and hypothesis parses
# source files (to describe filter lambdas) from several at once; CPython before 3.11.8 keeps the
# AST converter's recursion depth in shared state, so two parses at once can fail with
# "SystemError: AST constructor recursion depth mismatch" (CPython gh-106905) — a crash of the
# tool, reported as a runtime error of whichever operation it was generating for.
SCHEMATHESIS_WITH_AST_LOCK = """
import ast, sys, threading
_lock, _parse = threading.Lock(), ast.parse
def _locked_parse(*args, **kwargs):
    with _lock:
        return _parse(*args, **kwargs)
ast.parse = _locked_parse
from schemathesis.cli import schemathesis
sys.argv[0] = "schemathesis"
sys.exit(schemathesis())
"""


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--deskd", required=True)
    parser.add_argument("--document", default="openapi.yaml")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--max-examples", type=int, default=80)
    parser.add_argument("--min-cases", type=int, default=5000)
    parser.add_argument("--workers", default="2")
    arguments = parser.parse_args()
    if shutil.which("schemathesis") is None:
        raise SystemExit("schemathesis is not installed (python3 -m pip install schemathesis)")
    workdir = tempfile.mkdtemp(prefix="deskd-contract-")
    # The public lookups are limited to 30 a minute per address: lifted so that their logic is
    # tested, not only their 429.
    daemon = Deskd(arguments.deskd, os.path.join(workdir, "desk.sqlite"), os.path.join(workdir, "deskd.log"),
                   env={"DESK_PUBLIC_LIMIT": "1000000"})
    port, token = daemon.port, daemon.admin_token()
    if token is None:
        daemon.stop()
        raise SystemExit("deskd printed no admin token on its first start")
    try:
        display_stream(port, token)
        report = os.path.join(workdir, "report.json")
        command = [
            sys.executable, "-c", SCHEMATHESIS_WITH_AST_LOCK, "run", arguments.document,
            "--url", f"http://127.0.0.1:{port}",
            "--header", f"Authorization: Bearer {token}",
            "--max-examples", str(arguments.max_examples),
            "--seed", str(arguments.seed),
            "--workers", arguments.workers,
            "--request-timeout", "5",
            "--exclude-path", "/api/v1/queue/display",
            "--report", "json", "--report-json-path", report,
            "--output-sanitize", "true",
            "--no-color",
        ]  # fmt: skip
        started = time.time()
        run = subprocess.run(command, capture_output=True, text=True, timeout=1500)
        output = run.stdout + run.stderr
        print(output)
        if daemon.process.poll() is not None:
            raise SystemExit("deskd died during the schemathesis run (see its log: " + workdir + ")")
        cases = None
        match = re.search(r"Test cases:\s*\n?\s*([\d,]+) generated", output)
        if match:
            cases = int(match.group(1).replace(",", ""))
        if run.returncode != 0:
            raise SystemExit(f"schemathesis: failures (exit {run.returncode}); report in {workdir}")
        if cases is None:
            raise SystemExit("schemathesis: could not read the number of generated cases")
        if cases < arguments.min_cases:
            raise SystemExit(f"schemathesis: only {cases} cases generated, at least {arguments.min_cases} wanted")
        print(f"contract: {cases} generated cases, 0 failures, 0 errors in {time.time() - started:.0f} s (seed {arguments.seed})")
    finally:
        status = daemon.stop()
    if status not in (0, -15):  # a clean exit, or SIGTERM taken as it came
        raise SystemExit(f"deskd exited with {status} after the run (log: {workdir})")
    shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
