"""A `deskd` started by a script: on a free loopback port, waited for, its admin token read.

Shared by scripts/contract.py, scripts/soak.py, scripts/kill9.py, scripts/open311-clients.py,
scripts/forms_print.py, scripts/screens.py and scripts/bench-writer.py
(standard library only). Every wait is bounded.
"""

import http.client
import os
import signal
import socket
import subprocess
import time


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def healthy(port, timeout=1):
    try:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        connection.request("GET", "/healthz")
        return connection.getresponse().status == 200
    except OSError:
        return False


def on_server(deskd, database):
    """With DESK_SCRIPTS_POSTGRES=postgres://USER@HOST:PORT set, a database of its own on that
    server in place of the file `database` (named after it, made afresh and migrated by the
    `deskcli` beside `deskd`): the scripts' checks against `deskd` on PostgreSQL (issue 18)."""
    server = os.environ.get("DESK_SCRIPTS_POSTGRES")
    if not server or database.startswith("postgres"):
        return database
    if database in _made:  # a restart finds the database it left
        return _made[database]
    # Named after the script's folder and file, so that two scripts at once never share one.
    label = os.path.basename(os.path.dirname(os.path.abspath(database))) + "_" + os.path.basename(database)
    name = "desk_" + "".join(c if c.isalnum() else "_" for c in label)[-50:].lower()
    address = server.split("://", 1)[1]
    user, host = address.split("@", 1)
    host, port = host.rsplit(":", 1)
    psql = ["psql", "-X", "-q", "-h", host, "-p", port, "-U", user, "-d", "postgres", "-v", "ON_ERROR_STOP=1"]
    quiet = {**os.environ, "PGOPTIONS": "-c client_min_messages=warning"}
    subprocess.run(psql + ["-c", f"DROP DATABASE IF EXISTS {name}"], check=True, timeout=60, env=quiet)
    subprocess.run(psql + ["-c", f"CREATE DATABASE {name} ENCODING 'UTF8' LOCALE 'C' TEMPLATE template0"], check=True, timeout=60, env=quiet)
    url = f"{server}/{name}"
    deskcli = os.path.join(os.path.dirname(deskd), "deskcli")
    subprocess.run([deskcli, "db", "migrate", "--database", url], check=True, timeout=120, stdout=subprocess.DEVNULL)
    _made[database] = url
    return url


_made = {}


class Deskd:
    """`deskd --database DATABASE --port PORT --demo`, its output appended to `log_path`."""

    def __init__(self, deskd, database, log_path, env=None, start_timeout=60, port=None):
        # A given port: a restart where a browser expects it (scripts/screens.py).
        self.port = port or free_port()
        self.database = database = on_server(deskd, database)
        self.log_path = log_path
        self.log = open(log_path, "ab")
        self.process = subprocess.Popen(
            [deskd, "--database", database, "--port", str(self.port), "--demo"],
            stdout=self.log, stderr=subprocess.STDOUT, env={**os.environ, **(env or {})},
        )
        deadline = time.time() + start_timeout
        while not healthy(self.port):
            if time.time() > deadline or self.process.poll() is not None:
                self.process.kill()
                raise SystemExit(f"deskd did not start on port {self.port} (log: {log_path})")
            time.sleep(0.05)

    @property
    def base(self):
        return f"http://127.0.0.1:{self.port}"

    def admin_token(self, wait=5):
        """The token printed on the database's first start (None on a later start)."""
        deadline = time.time() + wait
        while True:
            self.log.flush()
            with open(self.log_path, encoding="utf-8", errors="replace") as text:
                for line in text:
                    if line.startswith("admin token: "):
                        return line.split(": ", 1)[1].strip()
            if time.time() > deadline:
                return None
            time.sleep(0.05)

    def stop(self, timeout=20):
        """SIGTERM, then SIGKILL if it does not stop in time; the exit status."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            return self.process.wait(timeout=timeout)
