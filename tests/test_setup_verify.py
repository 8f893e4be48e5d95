"""End-to-end verification through HOST: a real nginx in front of the stand-in, and `wandb verify` streaming."""

from __future__ import annotations

import os
import shutil
import subprocess
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.services.base import free_port, wait_for
from wbtui.checks.model import CheckResult, Status
from wbtui.config.model import Config
from wbtui.render.nginx import render_nginx
from wbtui.setup.verify import INGRESS_BODY_FIX, NGINX_BODY_FIX, stream_wandb_verify, verify_host, wandb_cli


def by_id(results: list[CheckResult]) -> dict[str, CheckResult]:
    return {r.id: r for r in results}


def test_verify_names_dns_failure_and_skips_what_needs_it():
    config = Config()
    config.server.HOST = "https://wandb.invalid"

    results = by_id(verify_host(config, timeout=3))

    assert results["verify.scheme"].status is Status.PASS
    assert results["verify.dns"].status is Status.FAIL
    assert "does not resolve" in results["verify.dns"].summary and "DNS record" in results["verify.dns"].fix
    for dependent in ("verify.healthz", "verify.ready", "verify.body_size"):
        assert results[dependent].status is Status.SKIPPED


def test_verify_refused_port_fails_probe_with_fix():
    config = Config()
    config.server.HOST = f"http://127.0.0.1:{free_port()}"
    seen: list[str] = []

    results = by_id(verify_host(config, timeout=2, on_result=lambda r: seen.append(r.id)))

    assert results["verify.scheme"].status is Status.WARN
    assert results["verify.healthz"].status is Status.FAIL
    assert "cannot connect" in results["verify.healthz"].summary and "firewall" in results["verify.healthz"].fix
    assert results["verify.body_size"].status is Status.SKIPPED
    assert seen == list(results)  # streamed one by one, in order


# -- a real nginx with the rendered proxy configuration -------------------------------------------

@pytest.fixture
def nginx(tmp_path: Path) -> Iterator[Callable[[str], str]]:
    """Start nginx from a config text (listen, pid and log paths adjusted for the test); returns its HOST."""
    if shutil.which("nginx") is None:
        pytest.skip("nginx is not installed (Debian package nginx-light)")
    started: list[subprocess.Popen[bytes]] = []

    def start(conf: str) -> str:
        port = int(conf.split("listen ", 1)[1].split(";", 1)[0])
        prefix = tmp_path / f"nginx-{port}"
        prefix.mkdir()
        local = (f"pid {prefix}/nginx.pid;\nerror_log {prefix}/error.log;\n"
                 + conf.replace(f"listen {port};", f"listen 127.0.0.1:{port};")
                 .replace("http {\n", textwrap.dedent(f"""\
                     http {{
                         access_log {prefix}/access.log;
                         client_body_temp_path {prefix}/body;
                         proxy_temp_path {prefix}/proxy;
                     """), 1))
        (prefix / "nginx.conf").write_text(local)
        proc = subprocess.Popen(["nginx", "-p", str(prefix), "-c", str(prefix / "nginx.conf"), "-g", "daemon off;"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
        started.append(proc)

        def answers() -> bool:
            if proc.poll() is not None:
                raise RuntimeError(f"nginx exited: {proc.stderr.read().decode() if proc.stderr else ''}")
            import socket

            with socket.socket() as s:
                return s.connect_ex(("127.0.0.1", port)) == 0

        wait_for(answers, 10, f"nginx on 127.0.0.1:{port}", interval=0.05)
        return f"http://127.0.0.1:{port}"

    yield start
    for proc in started:
        proc.terminate()
        proc.wait(10)


def proxied_config(upstream_port: int, body_limit: str | None = None) -> tuple[Config, str]:
    config = Config()
    config.server.HOST = f"http://127.0.0.1:{free_port()}"
    conf = render_nginx(config, upstream=f"127.0.0.1:{upstream_port}")
    if body_limit is not None:
        assert "client_max_body_size 0;" in conf
        conf = conf.replace("client_max_body_size 0;", f"client_max_body_size {body_limit};")
    return config, conf


@pytest.mark.docker
@pytest.mark.tools
def test_body_size_limit_in_front_of_host_is_reported_with_the_fix(run_standin, nginx):
    standin = run_standin(env={"STANDIN_READY_DELAY": "0", "STANDIN_HEARTBEAT": "0"})
    config, conf = proxied_config(standin.port, body_limit="1m")
    nginx(conf)

    results = by_id(verify_host(config, timeout=5))

    assert results["verify.healthz"].status is Status.PASS  # the proxy itself works
    body = results["verify.body_size"]
    assert body.status is Status.FAIL
    assert "refused with 413" in body.summary
    assert NGINX_BODY_FIX in body.fix and INGRESS_BODY_FIX in body.fix


@pytest.mark.docker
@pytest.mark.tools
def test_rendered_proxy_config_passes_every_verify_check(run_standin, nginx):
    standin = run_standin(env={"STANDIN_READY_DELAY": "0", "STANDIN_HEARTBEAT": "0"})
    config, conf = proxied_config(standin.port)
    nginx(conf)
    wait_for(lambda: standin.status("/ready") == 200, 10, "stand-in /ready", interval=0.05)

    results = by_id(verify_host(config, timeout=5))

    assert {r.id: r.status for r in results.values()} == {
        "verify.scheme": Status.WARN,  # http:// HOST
        "verify.dns": Status.PASS,
        "verify.healthz": Status.PASS,
        "verify.ready": Status.PASS,
        "verify.body_size": Status.PASS,
    }
    assert "10 MB request body passed the proxy" in results["verify.body_size"].summary


# -- wandb verify ---------------------------------------------------------------------------------

@pytest.fixture
def fake_wandb(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A `wandb` executable on PATH that prints what `wandb verify` would, with its arguments."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    exe = bin_dir / "wandb"
    exe.write_text(textwrap.dedent("""\
        #!/bin/sh
        echo "Default host selected:  $3"
        echo "Checking if logged in...................................................✅"
        echo "Checking signed URL upload..........................................❌" >&2
        echo "args: $*"
        exit 3
        """))
    exe.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    return exe


def test_wandb_verify_streams_lines_and_exit_code(fake_wandb):
    assert wandb_cli() == str(fake_wandb)

    lines = list(stream_wandb_verify("https://wandb.example.com", timeout=30))

    assert lines[0] == "Default host selected:  https://wandb.example.com"
    assert any("signed URL upload" in line for line in lines)  # stderr is streamed too
    assert "args: verify --host https://wandb.example.com" in lines
    assert lines[-1] == "wandb verify exited with code 3"


def test_wandb_missing_is_explained(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    assert wandb_cli() is None
    with pytest.raises(FileNotFoundError, match="pip install wandb"):
        list(stream_wandb_verify("https://wandb.example.com"))
