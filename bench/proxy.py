"""nginx in front of several dashboard processes, as docs/deploy.md runs it: deploy/nginx-expertnet.conf
with its ports changed, inside a minimal main configuration of its own folder (so no system
nginx setting and no root-owned path is involved). Used by bench/load.py and the tests."""

import os
import re
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
SITE_CONFIG = PROJECT_DIR / "deploy" / "nginx-expertnet.conf"


def site_config(listen_port: int, upstream_ports: list[int]) -> str:
    """The deploy file with `listen` and the upstream's servers set to these ports."""
    text = SITE_CONFIG.read_text()
    servers = "".join(f"    server 127.0.0.1:{port};\n" for port in upstream_ports)
    text, found = re.subn(r"(?:    server 127\.0\.0\.1:\d+;\n)+", servers, text)
    assert found == 1, "deploy/nginx-expertnet.conf lost its upstream servers"
    text, found = re.subn(r"listen \d+;", f"listen 127.0.0.1:{listen_port};", text)
    assert found == 1, "deploy/nginx-expertnet.conf lost its listen line"
    return text


def nginx_binary() -> str:
    found = shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if os.path.exists(p)), None)
    if found is None:
        raise RuntimeError("nginx is not installed: `apt-get install nginx-light` (what .ci/run does)")
    return found


class Proxy:
    """nginx on 127.0.0.1:port in front of `upstream_ports`; stop() ends it and removes its folder."""

    def __init__(self, port: int, upstream_ports: list[int]):
        self.port = port
        self.folder = Path(tempfile.mkdtemp(prefix="expertnet-nginx-"))
        os.chmod(self.folder, 0o755)      # nginx's workers run as another user when started as root
        (self.folder / "site.conf").write_text(site_config(port, upstream_ports))
        (self.folder / "nginx.conf").write_text(
            "worker_processes 1;\npid nginx.pid;\nerror_log error.log warn;\n"
            "events { worker_connections 1024; }\n"
            "http {\n    access_log off;\n    client_body_temp_path tmp/body;\n    proxy_temp_path tmp/proxy;\n"
            "    fastcgi_temp_path tmp/fastcgi;\n    uwsgi_temp_path tmp/uwsgi;\n    scgi_temp_path tmp/scgi;\n"
            "    include site.conf;\n}\n")
        (self.folder / "tmp").mkdir()
        os.chmod(self.folder / "tmp", 0o777)
        self.process = subprocess.Popen([nginx_binary(), "-p", str(self.folder), "-c", "nginx.conf",
                                         "-g", "daemon off;"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 20
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                return
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    error = self.process.stderr.read().decode(errors="replace") if self.process.poll() is not None else ""
                    self.stop()
                    raise RuntimeError(f"nginx did not start: {error}{self.error_log()}")
                time.sleep(0.1)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def error_log(self) -> str:
        path = self.folder / "error.log"
        return path.read_text(errors="replace")[-2000:] if path.exists() else ""

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
        shutil.rmtree(self.folder, ignore_errors=True)
