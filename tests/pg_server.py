"""A real PostgreSQL server for the tests, from Debian's `postgresql` package (.ci/run installs it):
initdb into a fresh folder, started on a free loopback port with fsync off, stopped at the end.
PostgreSQL refuses to run as root, so under root the server runs as the `postgres` user."""

import glob
import os
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

import psycopg

USER = "expertnet"


def _bin_dir() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[4]))
    return Path(found[-1]).parent if found else None


def _as_server_user(command: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


class PostgresServer:
    def __init__(self, port: int):
        self.port = port
        self.folder = Path(tempfile.mkdtemp(prefix="expertnet-pg-"))
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"postgresql://{USER}@127.0.0.1:{self.port}/postgres"

    def url_in_schema(self, schema: str) -> str:
        """An address whose tables live in `schema` (made here): one test's app state, apart from the others'."""
        with psycopg.connect(self.url, autocommit=True) as con:
            con.execute(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
        return f"{self.url}?options=-csearch_path%3D{schema}"

    def start(self) -> "PostgresServer":
        bin_dir = _bin_dir()
        if bin_dir is None:
            raise RuntimeError("PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb); "
                               "`apt-get install postgresql` (what .ci/run does)")
        if os.geteuid() == 0:
            shutil.chown(self.folder, "postgres", "postgres")
        data = self.folder / "data"
        subprocess.run(_as_server_user([str(bin_dir / "initdb"), "-D", str(data), "-U", USER, "-A", "trust",
                                        "-E", "UTF8", "--locale=C", "--no-sync"]),
                       check=True, capture_output=True, timeout=120)
        self._log = open(self.folder / "server.log", "wb")
        self.process = subprocess.Popen(
            _as_server_user([str(bin_dir / "postgres"), "-D", str(data), "-p", str(self.port),
                             "-k", str(self.folder), "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off",
                             "-c", "max_connections=200"]),
            stdout=self._log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while True:
            try:
                psycopg.connect(self.url, connect_timeout=2).close()
                return self
            except psycopg.OperationalError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    log = (self.folder / "server.log").read_text(errors="replace")[-2000:]
                    self.stop()
                    raise RuntimeError(f"PostgreSQL did not start: {log}")
                time.sleep(0.2)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)     # "fast" shutdown: SIGTERM would wait for the clients
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
        shutil.rmtree(self.folder, ignore_errors=True)
