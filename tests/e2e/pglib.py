"""A throw-away PostgreSQL server for the tests and benchmarks of the line database.

Debian's postgresql package: initdb and pg_ctl from /usr/lib/postgresql/<version>/bin, run as an
unprivileged user (PostgreSQL refuses to run as root: under root they run as `nobody` through
runuser), the cluster in a temporary folder, listening on 127.0.0.1 on a free port, trust
authentication for the user `tonewire`. Queries go through psql (-At, JSON built by the server).
"""
import glob
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

def bin_dir():
    """The newest installed server's bin folder, or None."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"),
                   key=lambda p: int(p.split("/")[4]) if p.split("/")[4].isdigit() else 0)
    return os.path.dirname(found[-1]) if found else None


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Postgres:
    """start() once, then stop()/start() at will; destroy() removes everything."""

    def __init__(self, fsync=True):
        self.bin = bin_dir()
        if not self.bin:
            raise FileNotFoundError("no PostgreSQL server: /usr/lib/postgresql/*/bin/initdb (scripts/deps installs it)")
        self.root = os.geteuid() == 0
        self.dir = tempfile.mkdtemp(prefix="tw-pg-")
        os.chmod(self.dir, 0o755)
        self.data = os.path.join(self.dir, "data")
        self.log = os.path.join(self.dir, "server.log")
        self.sock = os.path.join(self.dir, "sock")
        os.mkdir(self.sock)
        if self.root:
            shutil.chown(self.dir, "nobody", "nogroup")
            shutil.chown(self.sock, "nobody", "nogroup")
        self.port = free_port()
        self.fsync = fsync
        self.running = False
        self._as_owner([os.path.join(self.bin, "initdb"), "-D", self.data, "-U", "tonewire", "--auth=trust",
                        "-E", "UTF8", "--no-instructions"] + ([] if fsync else ["--no-sync"]))
        self.start()
        self.psql("CREATE DATABASE tonewire", db="postgres")

    def _as_owner(self, cmd, check=True):
        full = (["runuser", "-u", "nobody", "--"] if self.root else []) + cmd
        p = subprocess.run(full, cwd=self.dir, capture_output=True, text=True, timeout=120)
        if check and p.returncode != 0:
            raise RuntimeError(f"{' '.join(cmd)}: {p.returncode}\n{p.stdout}\n{p.stderr}")
        return p

    @property
    def url(self):
        return f"postgresql://tonewire@127.0.0.1:{self.port}/tonewire"

    def start(self):
        opts = f"-p {self.port} -k {self.sock} -c listen_addresses=127.0.0.1 -c max_connections=100"
        if not self.fsync:
            opts += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        self._as_owner([os.path.join(self.bin, "pg_ctl"), "-D", self.data, "-l", self.log, "-o", opts,
                        "-w", "-t", "60", "start"])
        self.running = True

    def stop(self, mode="fast"):
        """Stop the server: "fast" closes every connection (a crash looks like "immediate")."""
        self._as_owner([os.path.join(self.bin, "pg_ctl"), "-D", self.data, "-m", mode, "-w", "-t", "60", "stop"])
        self.running = False

    def psql(self, sql, db="tonewire"):
        """Run sql; the output of the last statement, unaligned, tuples only."""
        p = subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-At", "-h", "127.0.0.1", "-p",
                            str(self.port), "-U", "tonewire", "-d", db, "-c", sql],
                           capture_output=True, text=True, timeout=600)
        if p.returncode != 0:
            raise RuntimeError(f"psql: {p.stderr.strip()}\n{sql[:300]}")
        return p.stdout.strip()

    def json(self, sql):
        """A query whose single value is JSON (e.g. SELECT json_agg(...))."""
        out = self.psql(sql)
        return json.loads(out) if out else None

    def wait_ready(self, timeout=30):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if subprocess.run(["pg_isready", "-q", "-h", "127.0.0.1", "-p", str(self.port)]).returncode == 0:
                return
            time.sleep(0.1)
        raise RuntimeError("PostgreSQL did not come up")

    def destroy(self):
        if self.running:
            try:
                self.stop("immediate")
            except (RuntimeError, subprocess.TimeoutExpired) as e:
                # Removing the folder is what matters now; the failure is still said.
                print(f"pglib: stopping the server failed: {e}", file=sys.stderr)
        shutil.rmtree(self.dir, ignore_errors=True)


if __name__ == "__main__":
    # `pglib.py serve`: start a server, print its URL, keep it until stdin closes (for the browser
    # tests and the benchmarks, which are not Python).
    if sys.argv[1:] != ["serve"]:
        print("usage: pglib.py serve", file=sys.stderr)
        sys.exit(2)
    if not bin_dir():
        # A required part of the suite (scripts/deps installs it): its absence fails the caller.
        print("pglib.py: no PostgreSQL server (scripts/deps installs it)", file=sys.stderr)
        sys.exit(1)
    import signal
    # Stopped by a signal, still stop the server: it runs as another user and would outlive us.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    signal.signal(signal.SIGINT, lambda *_: sys.exit(0))
    pg = Postgres()
    try:
        print(pg.url, flush=True)
        sys.stdin.read()
    finally:
        pg.destroy()
