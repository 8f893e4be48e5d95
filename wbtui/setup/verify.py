"""End-to-end verification of a running server through HOST.

What `wandb verify` needs to work from a user's machine: HOST resolves, the
probes answer through it, uploads are not refused by the proxy in front of it,
and browsers at HOST's origin may use the object store's signed URLs.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from urllib.parse import urlsplit

from ..checks.model import CheckFailed, CheckResult, CheckRun, CheckWarning, Outcome
from ..config import masking
from ..config.model import Config

BODY_BYTES = 10 * 1024 * 1024
NGINX_BODY_FIX = "nginx: `client_max_body_size 0;` in the server block (wbtui render nginx has it)"
INGRESS_BODY_FIX = (
    "Ingress: annotation nginx.ingress.kubernetes.io/proxy-body-size: \"0\" "
    "(wbtui config set kubernetes.body_size 0; wbtui render kubernetes)"
)


def resolves(hostname: str, timeout: float) -> list[str]:
    """Addresses HOST's name resolves to from this machine (getaddrinfo has no timeout of its own)."""
    pool = ThreadPoolExecutor(max_workers=1)
    try:
        infos = pool.submit(socket.getaddrinfo, hostname, None).result(timeout=timeout)
    except FutureTimeout:
        raise CheckFailed(f"resolving {hostname} took longer than {timeout:g}s",
                          fix="check /etc/resolv.conf and the DNS record for HOST") from None
    except socket.gaierror as exc:
        raise CheckFailed(f"{hostname} does not resolve from this host ({exc.strerror})",
                          fix="add a DNS record (or an /etc/hosts entry) for HOST's name") from None
    finally:
        pool.shutdown(wait=False)
    return sorted({str(info[4][0]) for info in infos})


def _origin(host: str) -> str:
    parts = urlsplit(host)
    return f"{parts.scheme}://{parts.netloc}"


def verify_host(config: Config, *, timeout: float = 5.0,
                on_result: Callable[[CheckResult], None] | None = None) -> list[CheckResult]:
    """Checks through HOST, each with its cause and fix, dependent ones skipped."""
    import httpx

    host = config.server.HOST.rstrip("/")
    run = CheckRun("verify", masking.screen(config), on_result)
    parts = urlsplit(host)

    def scheme() -> Outcome | str:
        if parts.scheme != "https":
            raise CheckWarning("HOST is http://: logins and API keys cross the network in clear",
                               fix="terminate TLS at the load balancer (wbtui render nginx) and use https://")
        return "HOST uses https://"

    def dns() -> Outcome:
        addresses = resolves(parts.hostname or "", timeout)
        return Outcome(f"{parts.hostname} resolves to {', '.join(addresses)}", data={"addresses": addresses})

    def probe(path: str) -> Callable[[], str]:
        def body() -> str:
            try:
                response = httpx.get(f"{host}{path}", timeout=timeout)
            except httpx.ConnectError as exc:
                raise CheckFailed(f"cannot connect to {host}: {exc}",
                                  fix="check the load balancer in front of the server and the firewall") from None
            except httpx.TimeoutException:
                raise CheckFailed(f"{host}{path} did not answer within {timeout:g}s",
                                  fix="check the proxy's upstream address (wbtui render nginx)") from None
            if response.status_code != 200:
                raise CheckFailed(f"{path} answered {response.status_code} through HOST",
                                  fix="compare with `wbtui probe --url http://127.0.0.1:PORT`: if that passes, "
                                      "the proxy is at fault")
            return f"{path} answered 200 in {response.elapsed.total_seconds() * 1000:.0f} ms"
        return body

    def body_size() -> str:
        payload = b"\0" * BODY_BYTES
        try:
            response = httpx.post(f"{host}/wbtui-body-size-check", content=payload, timeout=timeout * 4,
                                  headers={"Content-Type": "application/octet-stream"})
        except httpx.TransportError as exc:
            raise CheckWarning(f"the 10 MB upload was cut off ({type(exc).__name__}); a proxy may limit bodies",
                               fix=f"{NGINX_BODY_FIX}; {INGRESS_BODY_FIX}") from None
        if response.status_code == 413:
            raise CheckFailed("a 10 MB request was refused with 413: the proxy in front of HOST limits "
                              "request bodies, so large uploads will fail",
                              fix=f"{NGINX_BODY_FIX}; {INGRESS_BODY_FIX}")
        return f"a 10 MB request body passed the proxy (answered {response.status_code})"

    run.run("verify.scheme", "HOST scheme", scheme)
    run.run("verify.dns", "HOST resolves", dns)
    run.run("verify.healthz", "/healthz through HOST", probe("/healthz"), requires=("verify.dns",))
    run.run("verify.ready", "/ready through HOST", probe("/ready"), requires=("verify.healthz",))
    run.run("verify.body_size", "10 MB upload through HOST", body_size, requires=("verify.healthz",))
    return run.results


def wandb_cli() -> str | None:
    """Path of the `wandb` command when the SDK is installed here."""
    return shutil.which("wandb")


def stream_wandb_verify(host: str, timeout: float = 300) -> Iterator[str]:
    """Run `wandb verify --host HOST` and yield its output lines as they come."""
    exe = wandb_cli()
    if exe is None:
        raise FileNotFoundError("the wandb package is not installed (pip install wandb)")
    with subprocess.Popen([exe, "verify", "--host", host], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          stdin=subprocess.DEVNULL, text=True, bufsize=1) as proc:
        timer = _kill_after(proc, timeout)
        try:
            assert proc.stdout is not None
            for line in proc.stdout:
                yield line.rstrip("\n")
        finally:
            timer.cancel()
            if proc.poll() is None:
                proc.kill()
        yield f"wandb verify exited with code {proc.wait()}"


def _kill_after(proc: subprocess.Popen[str], seconds: float) -> threading.Timer:
    timer = threading.Timer(seconds, proc.kill)
    timer.daemon = True
    timer.start()
    return timer
