"""The front door on real nginx: the config `wbtui render nginx` writes, serving TLS on 127.0.0.1 with
certificates from a local CA the test makes with openssl, trusted through the test's CA bundle (SSL_CERT_FILE).

The upstream behind nginx is a small HTTP server on 127.0.0.1 that answers like W&B: /healthz and /ready 200,
anything else 404 after reading the request body.
"""

from __future__ import annotations

import shutil
import socket
import ssl
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from tests.services.base import free_port, wait_for
from wbtui.config.model import Config
from wbtui.health import front_door as fd
from wbtui.health.certificate import inspect_certificate
from wbtui.health.upload_size import UPLOAD_BYTES
from wbtui.health.x509 import parse_certificate
from wbtui.render import nginx

pytestmark = pytest.mark.tools


def openssl(*args: str) -> None:
    if not shutil.which("openssl"):
        pytest.fail("openssl is not installed; run scripts/test.sh")
    subprocess.run(["openssl", *args], check=True, capture_output=True, timeout=60)


@dataclass
class Pair:
    cert: Path
    key: Path


class LocalCA:
    """A root CA (and an intermediate under it) on disk, issuing leaf certificates with chosen names and lives."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.ca = self._self_signed("ca", "wbtui test root CA", days=365, ca=True)
        self.intermediate = self._issue("intermediate", "wbtui test intermediate CA", [], 365, self.ca, ca=True)
        self.bundle = root / "bundle.pem"
        self.bundle.write_bytes(self.ca.cert.read_bytes())
        self._count = 0

    def _self_signed(self, stem: str, cn: str, *, days: int, ca: bool, names: tuple[str, ...] = ()) -> Pair:
        pair = Pair(self.root / f"{stem}.crt", self.root / f"{stem}.key")
        extensions = ["-addext", "basicConstraints=critical,CA:TRUE",
                      "-addext", "keyUsage=critical,keyCertSign,cRLSign"] if ca else \
            ["-addext", "subjectAltName=" + ",".join(f"DNS:{n}" for n in names)]
        openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-days", str(days), "-subj", f"/O=wbtui tests/CN={cn}", "-keyout", str(pair.key),
                "-out", str(pair.cert), *extensions)
        return pair

    def _issue(self, stem: str, cn: str, names: list[str], days: int, issuer: Pair, *, ca: bool = False) -> Pair:
        pair = Pair(self.root / f"{stem}.crt", self.root / f"{stem}.key")
        csr = self.root / f"{stem}.csr"
        openssl("req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-subj", f"/O=wbtui tests/CN={cn}", "-keyout", str(pair.key), "-out", str(csr))
        ext = self.root / f"{stem}.ext"
        lines = ["basicConstraints=critical,CA:TRUE", "keyUsage=critical,keyCertSign,cRLSign"] if ca else \
            ["basicConstraints=CA:FALSE", "keyUsage=critical,digitalSignature",
             "extendedKeyUsage=serverAuth", "subjectAltName=" + ",".join(names)]
        ext.write_text("\n".join(lines) + "\n")
        openssl("x509", "-req", "-in", str(csr), "-CA", str(issuer.cert), "-CAkey", str(issuer.key),
                "-CAcreateserial", "-days", str(days), "-sha256", "-extfile", str(ext), "-out", str(pair.cert))
        return pair

    def leaf(self, days: int, names: tuple[str, ...] = ("DNS:localhost",), *, chain: bool = True) -> Pair:
        """A server certificate from the intermediate; with ``chain`` the file also holds the intermediate
        (what certbot's fullchain.pem holds)."""
        self._count += 1
        pair = self._issue(f"leaf{self._count}", "wandb test server", list(names), days, self.intermediate)
        if chain:
            pair.cert.write_bytes(pair.cert.read_bytes() + self.intermediate.cert.read_bytes())
        return pair

    def self_signed(self, names: tuple[str, ...] = ("localhost",)) -> Pair:
        self._count += 1
        return self._self_signed(f"self{self._count}", "localhost", days=90, ca=False, names=names)


class WandbLike:
    """The upstream: GET /healthz and /ready 200; anything else (a POST included) 404 once its body is read."""

    def __init__(self) -> None:
        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                return

            def do_GET(self) -> None:
                self._answer(200 if self.path in ("/healthz", "/ready") else 404)

            def do_POST(self) -> None:
                left = int(self.headers.get("Content-Length") or 0)
                while left > 0:
                    left -= len(self.rfile.read(min(left, 65536)) or b"\0" * left)
                self._answer(404)

            def _answer(self, code: int) -> None:
                body = b"ok\n" if code == 200 else b"404 page not found\n"
                self.send_response(code)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.server.server_address[1]}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class Nginx:
    """Real nginx running the config wbtui renders for HOST https://localhost:PORT, on 127.0.0.1 only."""

    def __init__(self, root: Path, pair: Pair, upstream: str, *, body_size: str = "") -> None:
        binary = shutil.which("nginx") or "/usr/sbin/nginx"
        if not Path(binary).exists():
            pytest.fail("nginx is not installed; run scripts/test.sh (installs nginx-light)")
        self.port, redirect = free_port(), free_port()
        self.host = f"https://localhost:{self.port}"
        config = Config()
        config.server.HOST = self.host
        text = nginx.render_nginx(config, upstream, str(pair.cert), str(pair.key))
        text = text.replace(f"listen {self.port} ssl;", f"listen 127.0.0.1:{self.port} ssl;")
        text = text.replace("listen 80;", f"listen 127.0.0.1:{redirect};")  # port 80 is not the test's
        if body_size:
            text = text.replace("client_max_body_size 0;", f"client_max_body_size {body_size};")
        (root / "logs").mkdir(parents=True, exist_ok=True)
        conf = root / "nginx.conf"
        conf.write_text(text)
        self.text = text
        self.proc = subprocess.Popen(
            [binary, "-p", str(root), "-c", str(conf), "-g",
             f"daemon off; error_log stderr; pid {root / 'nginx.pid'};"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        wait_for(self._listening, 20, "nginx on 127.0.0.1")

    def _listening(self) -> bool:
        if self.proc.poll() is not None:
            raise AssertionError(f"nginx exited: {self.proc.stderr.read().decode() if self.proc.stderr else ''}")
        with socket.socket() as s:
            return s.connect_ex(("127.0.0.1", self.port)) == 0

    def config(self) -> Config:
        config = Config()
        config.server.HOST = self.host
        config.app.timeout = 5.0
        return config

    def close(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=30)
        if self.proc.stderr:
            self.proc.stderr.close()


@pytest.fixture(scope="module")
def ca(tmp_path_factory: pytest.TempPathFactory) -> LocalCA:
    return LocalCA(tmp_path_factory.mktemp("ca"))


@pytest.fixture(scope="module")
def upstream() -> Iterator[WandbLike]:
    server = WandbLike()
    yield server
    server.close()


@pytest.fixture
def trust(ca: LocalCA, monkeypatch: pytest.MonkeyPatch) -> LocalCA:
    """This machine's store is the test's CA bundle (as an operator's SSL_CERT_FILE would make it)."""
    monkeypatch.setenv("SSL_CERT_FILE", str(ca.bundle))
    monkeypatch.delenv("SSL_CERT_DIR", raising=False)
    return ca


@pytest.fixture
def serve(tmp_path: Path, upstream: WandbLike) -> Iterator[Any]:
    started: list[Nginx] = []

    def start(pair: Pair, **kwargs: Any) -> Nginx:
        server = Nginx(tmp_path / f"nginx{len(started)}", pair, upstream.address, **kwargs)
        started.append(server)
        return server

    yield start
    for server in started:
        server.close()


def by_id(door: fd.FrontDoor) -> dict[str, fd.DoorFinding]:
    return {f.id: f for f in door.findings}


@pytest.mark.parametrize(("days", "severity"), [(5, fd.CRITICAL), (15, fd.WARN), (30, fd.OK)])
def test_days_left_decide_the_severity(days: int, severity: str, trust: LocalCA, serve: Any) -> None:
    server = serve(trust.leaf(days))
    door = fd.check_front_door(server.config())
    assert door is not None
    found = by_id(door)
    assert found["tls.expiry"].severity == severity, door.to_dict()
    assert door.certificate is not None and door.certificate.days_left == days - 1  # a few seconds short of N days
    assert found["tls.trust"].severity == fd.OK and "wbtui test intermediate CA" in found["tls.trust"].message
    assert found["tls.name"].severity == fd.OK
    assert door.certificate.tls_version.startswith("TLSv1.")
    assert found["proxy.body_size"].severity == fd.OK  # the rendered config: client_max_body_size 0
    assert "answered 404" in found["proxy.body_size"].message
    assert door.severity == severity
    if severity != fd.OK:
        assert "renew" in found["tls.expiry"].fix and f"expires in {days - 1} days" in found["tls.expiry"].message
        assert door.summary() == found["tls.expiry"].message
    else:
        assert door.summary() == f"certificate {days - 1} days left (wbtui tests), large uploads pass"


def test_an_untrusted_self_signed_certificate_is_critical_and_still_described(trust: LocalCA, serve: Any) -> None:
    server = serve(trust.self_signed())
    door = fd.check_front_door(server.config())
    assert door is not None
    found = by_id(door)
    assert found["tls.trust"].severity == fd.CRITICAL
    assert "self-signed certificate" in found["tls.trust"].message
    assert found["tls.trust"].fix == fd.SELF_SIGNED_FIX
    assert found["tls.expiry"].severity == fd.OK and door.certificate is not None
    assert door.certificate.days_left == 89 and door.certificate.names == ["localhost"]
    assert found["proxy.body_size"].severity == fd.UNKNOWN  # no upload over a connection it cannot verify
    assert door.severity == fd.CRITICAL


def test_a_chain_without_its_intermediate_says_to_serve_the_full_chain(trust: LocalCA, serve: Any) -> None:
    server = serve(trust.leaf(60, chain=False))
    found = by_id(fd.check_front_door(server.config()))  # type: ignore[arg-type]
    assert found["tls.trust"].severity == fd.CRITICAL and "local issuer" in found["tls.trust"].message
    assert "intermediate" in found["tls.trust"].fix and "fullchain.pem" in found["tls.trust"].fix


def test_a_wrong_name_is_critical(trust: LocalCA, serve: Any) -> None:
    server = serve(trust.leaf(60, ("DNS:wandb.example.com", "IP:10.1.2.3")))
    door = fd.check_front_door(server.config())
    assert door is not None
    found = by_id(door)
    assert found["tls.name"].severity == fd.CRITICAL
    assert found["tls.name"].message == \
        "the certificate does not name localhost (it names: wandb.example.com, 10.1.2.3)"
    assert "subjectAltName includes localhost" in found["tls.name"].fix
    assert found["tls.trust"].severity == fd.OK  # trusted chain, wrong name: reported apart


def test_the_default_body_size_fails_the_upload_check(trust: LocalCA, serve: Any) -> None:
    server = serve(trust.leaf(60), body_size="1m")
    assert "client_max_body_size 1m;" in server.text
    found = by_id(fd.check_front_door(server.config()))  # type: ignore[arg-type]
    upload = found["proxy.body_size"]
    assert upload.severity == fd.CRITICAL and "refused with 413" in upload.message
    assert "client_max_body_size 0" in upload.fix
    assert UPLOAD_BYTES > 1024 * 1024


def test_the_fields_read_from_der_agree_with_ssl(trust: LocalCA, serve: Any) -> None:
    """The DER reader against what ssl decodes from the same, verified, certificate."""
    server = serve(trust.leaf(30, ("DNS:localhost", "DNS:*.wandb.test", "IP:127.0.0.1")))
    context = ssl.create_default_context()
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as raw, \
            context.wrap_socket(raw, server_hostname="localhost") as tls:
        decoded, der = tls.getpeercert(), tls.getpeercert(binary_form=True)
    assert decoded is not None and der is not None
    fields = parse_certificate(der)
    assert fields.not_after.timestamp() == ssl.cert_time_to_seconds(str(decoded["notAfter"]))
    assert fields.not_before.timestamp() == ssl.cert_time_to_seconds(str(decoded["notBefore"]))
    assert [("DNS", n) for n in fields.dns_names] + [("IP Address", i) for i in fields.ip_addresses] == \
        list(decoded["subjectAltName"])
    assert fields.issuer == {"O": "wbtui tests", "CN": "wbtui test intermediate CA"}
    assert fields.subject == {"O": "wbtui tests", "CN": "wandb test server"}
    check = inspect_certificate("127.0.0.1", server.port)
    assert check.trusted and check.name_matches  # the IP entry
    assert inspect_certificate("localhost", server.port).name_matches


def test_nothing_listening_is_not_measured_with_what_to_do() -> None:
    config = Config()
    config.server.HOST = f"https://127.0.0.1:{free_port()}"
    door = fd.check_front_door(config)
    assert door is not None
    found = by_id(door)
    assert found["tls.certificate"].severity == fd.UNKNOWN and "connection refused" in found["tls.certificate"].message
    assert found["tls.certificate"].fix and found["proxy.body_size"].severity == fd.UNKNOWN
    assert door.critical == []


def test_an_http_host_has_no_tls_as_a_warning(upstream: WandbLike) -> None:
    config = Config()
    config.server.HOST = f"http://{upstream.address}"
    door = fd.check_front_door(config)
    assert door is not None
    found = by_id(door)
    assert found["tls.scheme"].severity == fd.WARN and "signed URLs" in found["tls.scheme"].message
    assert "wbtui render nginx" in found["tls.scheme"].fix
    assert found["proxy.body_size"].severity == fd.OK  # straight to the upstream: nothing limits it
    assert door.severity == fd.WARN
    assert fd.check_front_door(Config()) is None  # no HOST: nothing to judge


def _saved(server: Nginx, tmp_path: Path) -> Path:
    from wbtui.config import store

    config = server.config()
    config.runtime.port = free_port()
    config.runtime.bind_address = "127.0.0.1"
    path = tmp_path / "config.toml"
    store.save(config, path)
    return path


def test_probe_prints_the_front_door_with_its_severity(trust: LocalCA, serve: Any, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    import json

    from wbtui.cli import main

    monkeypatch.setenv("DOCKER_HOST", f"unix://{tmp_path}/absent.sock")
    path = _saved(serve(trust.leaf(15)), tmp_path)
    main(["--config", str(path), "probe"])
    out = capsys.readouterr().out
    assert "front door https://localhost:" in out and ": warn" in out
    assert "! WARN     Certificate expiry: the certificate expires in 14 days" in out
    assert "fix: renew it" in out and "✔ OK       Large uploads: a 1.1 MB upload passed the proxy" in out
    main(["--config", str(path), "probe", "--json"])
    data = json.loads(capsys.readouterr().out)
    assert data["front_door"]["severity"] == "warn" and data["front_door"]["certificate"]["days_left"] == 14
    main(["--config", str(path), "probe", "--url", "http://127.0.0.1:9", "--json"])
    assert json.loads(capsys.readouterr().out)["front_door"] is None  # --url: HOST's door is not the one probed


def test_doctor_counts_a_critical_front_door_as_a_problem(trust: LocalCA, serve: Any, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    import json

    from wbtui.cli import main

    monkeypatch.setenv("DOCKER_HOST", f"unix://{tmp_path}/absent.sock")
    path = _saved(serve(trust.leaf(5)), tmp_path)
    # 4, not 1: the engine (an absent socket here) could not be asked, which outranks a finding (README, exit codes)
    assert main(["--config", str(path), "doctor"]) == 4
    out = capsys.readouterr().out
    assert "\nFront door\n" in out and "✘ CRITICAL Certificate expiry: the certificate expires in 4 days" in out
    main(["--config", str(path), "doctor", "--json"])
    report = json.loads(capsys.readouterr().out)
    assert report["front_door"]["severity"] == "critical"
    assert any(p.startswith("front door Certificate expiry: the certificate expires in 4 days")
               for p in report["problems"])


async def test_the_overview_and_the_health_pane_show_the_front_door(trust: LocalCA, serve: Any,
                                                                    tmp_path: Path) -> None:
    from tests.ui_support import make_app, ready, wait_text, wait_until
    from wbtui.ui.widgets.front_door_line import FrontDoorLine

    server = serve(trust.leaf(5))
    app = make_app(tmp_path, server.config())
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        line = app.query_one("#ov-front-door", FrontDoorLine)
        assert not line.display  # nothing said before the first check
        line.check_now()  # what the status cadence starts, in a thread worker
        await wait_until(pilot, lambda: app.front_door is not None, 30, "the front-door check")
        await wait_text(pilot, "Front door: ✘ critical the certificate expires in 4 days")
        assert line.said == "Front door: ✘ critical the certificate expires in 4 days " \
            f"({door_day(app)})"
        await pilot.press("6")
        text = await wait_text(pilot, "✘ Certificate expiry: the certificate expires in 4 days", "fix: renew it")
        assert "✔ ok: Certificate chain, Certificate name, Large uploads" in text
        assert app.query_one("#hp-front-door", FrontDoorLine).said.startswith("Front door: ✘ critical")


def door_day(app: Any) -> str:
    door = app.front_door.door
    return f"{door.certificate.fields.not_after:%Y-%m-%d}"
