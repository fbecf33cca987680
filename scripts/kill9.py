#!/usr/bin/env python3
"""kill -9 under intake load: nothing acknowledged is ever lost (SPEC §8).

Each trial starts the given deskd on a free loopback port over one database (the same file,
trial after trial, so every restart also recovers the previous crash), drives concurrent intakes
from a few threads, kills the daemon with SIGKILL at a random moment, restarts it, and checks
that every intake answered 201 is there unchanged (code, service, state, received and due
moments as the answer gave them) and that `deskcli audit verify` finds the hash chain intact.
Standard library only; loopback only; every loop is bounded.

    python3 scripts/kill9.py --deskd .build/debug/deskd --deskcli .build/debug/deskcli --trials 20
"""

import argparse
import http.client
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

from deskd_process import Deskd

INTAKE = {
    "service": "HD-TTHC",
    "applicant": {"name": "Nguyễn Văn An", "phone": "0912345678"},
    "description": "Hỏi thủ tục",
}


def load(port, token, acknowledged, lock, stop):
    """One worker: intakes until the daemon dies or `stop` is set (at most 2,000 each)."""
    body = json.dumps(INTAKE).encode()
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    try:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        for _ in range(2000):
            if stop.is_set():
                return
            connection.request("POST", "/api/v1/tickets", body=body, headers=headers)
            response = connection.getresponse()
            data = response.read()
            if response.status == 201:
                answer = json.loads(data)
                with lock:
                    acknowledged.append(answer["ticket"])
    except (OSError, http.client.HTTPException, ValueError):
        return  # the daemon was killed mid-request: that answer was never acknowledged


def get(port, token, code):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    connection.request("GET", f"/api/v1/tickets/{code}", headers={"Authorization": f"Bearer {token}"})
    response = connection.getresponse()
    return response.status, response.read()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--deskd", required=True)
    parser.add_argument("--deskcli", required=True)
    parser.add_argument("--trials", type=int, default=20)
    parser.add_argument("--workers", type=int, default=6)
    parser.add_argument("--seed", type=int, default=None)
    arguments = parser.parse_args()
    rng = random.Random(arguments.seed)
    workdir = tempfile.mkdtemp(prefix="deskd-kill9-")
    database = os.path.join(workdir, "desk.sqlite")
    log_path = os.path.join(workdir, "deskd.log")
    token = None
    total = 0
    # The folder is removed once every trial held; a failure keeps it (the database and the
    # daemon's log) for a look, and says where.
    try:
        for trial in range(1, arguments.trials + 1):
            daemon = Deskd(arguments.deskd, database, log_path, start_timeout=20)
            port, process = daemon.port, daemon.process
            if token is None:
                # The first start prints the admin token; later ones create nothing.
                token = daemon.admin_token()
                if token is None:
                    raise SystemExit("no admin token printed on first start")
            acknowledged, lock, stop = [], threading.Lock(), threading.Event()
            workers = [
                threading.Thread(target=load, args=(port, token, acknowledged, lock, stop)) for _ in range(arguments.workers)
            ]
            for worker in workers:
                worker.start()
            time.sleep(rng.uniform(0.3, 1.5))
            process.send_signal(signal.SIGKILL)
            process.wait(timeout=10)
            stop.set()
            for worker in workers:
                worker.join(timeout=10)
            with lock:
                kept = list(acknowledged)
            daemon = Deskd(arguments.deskd, database, log_path, start_timeout=20)
            port, process = daemon.port, daemon.process
            try:
                for ticket in kept:
                    status, data = get(port, token, ticket["code"])
                    if status != 200:
                        raise SystemExit(f"trial {trial}: acknowledged {ticket['code']} is lost ({status})")
                    stored = json.loads(data)
                    for key in ("code", "service", "state", "receivedAt", "dueAt"):
                        if stored.get(key) != ticket.get(key):
                            raise SystemExit(
                                f"trial {trial}: {ticket['code']} changed: {key} {ticket.get(key)!r} → {stored.get(key)!r}"
                            )
            finally:
                daemon.stop(timeout=15)
            verify = subprocess.run(
                [arguments.deskcli, "audit", "verify", "--database", daemon.database], capture_output=True, text=True, timeout=120
            )
            if verify.returncode != 0:
                raise SystemExit(f"trial {trial}: audit verify failed: {verify.stdout}{verify.stderr}")
            total += len(kept)
            print(f"trial {trial}: killed under load, {len(kept)} acknowledged intakes all present; chain intact", flush=True)
    except BaseException:
        print(f"kill -9: the database and deskd's log are kept in {workdir}", file=sys.stderr)
        raise
    shutil.rmtree(workdir, ignore_errors=True)
    print(f"kill -9: all {arguments.trials} trials held ({total} acknowledged tickets checked, chain intact)")


if __name__ == "__main__":
    main()
