"""Docker over SSH through the system ``ssh`` binary, as the docker CLI does it.

Each HTTP connection is one ``ssh -T ... docker system dial-stdio`` whose stdin and stdout are
one end of a socket pair, so ~/.ssh/config, ssh-agent, known_hosts and ProxyJump work as the
operator expects, and timeouts are a real socket's. The SDK's ``use_ssh_client=True`` was not
used: its module imports paramiko even then, it starts a new ssh for every request, and ssh's
own error goes to our terminal (over the dashboard) instead of into the error.

ssh runs in its own session with ``BatchMode=yes``: it can never prompt on the terminal the
dashboard owns, and its failure (host key, key refused, no docker there) comes back as
:class:`SSHFailed` with ssh's last words.
"""

from __future__ import annotations

import contextlib
import shutil
import socket
import subprocess
import tempfile
from typing import IO, Any

import requests.adapters
import urllib3.connection
import urllib3.connectionpool

from ...config.masking import mask_url_password
from .contexts import SSHTarget

REMOTE_COMMAND = "docker system dial-stdio"
EXIT_WAIT = 5.0
"""Seconds to wait for ssh to exit once it closed its end: long enough for its last words."""


class SSHFailed(ConnectionError):
    """ssh ended (or could not start) before the daemon answered; ``detail`` is what ssh said."""

    def __init__(self, detail: str, returncode: int | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.returncode = returncode


def ssh_command(target: SSHTarget, timeout: float) -> list[str]:
    return ["ssh", "-T", "-o", "BatchMode=yes", "-o", f"ConnectTimeout={max(1, int(timeout))}",
            *target.args(), REMOTE_COMMAND]


class SSHStream(socket.socket):
    """Our end of the socket pair; the other end is ssh's stdin and stdout."""

    proc: subprocess.Popen[bytes]
    stderr: IO[bytes]

    @classmethod
    def open(cls, target: SSHTarget, timeout: float) -> SSHStream:
        if shutil.which("ssh") is None:
            raise SSHFailed("there is no ssh client on this host (install openssh-client)")
        ours, theirs = socket.socketpair()
        pipe: Any = theirs  # subprocess takes a socket for a file: it has fileno()
        stream = cls(ours.family, ours.type, fileno=ours.detach())
        stream.stderr = tempfile.TemporaryFile()  # noqa: SIM115 (closed with the stream)
        try:
            stream.proc = subprocess.Popen(ssh_command(target, timeout), stdin=pipe, stdout=pipe,
                                           stderr=stream.stderr, start_new_session=True)
        except OSError as exc:
            stream.stderr.close()
            stream.close()
            raise SSHFailed(f"could not run ssh: {exc}") from exc
        finally:
            theirs.close()
        stream.settimeout(timeout)
        return stream

    def _failure(self, cause: OSError | None = None) -> SSHFailed | None:
        """ssh's own account of why the stream ended, once it has exited non-zero; None if it has not."""
        try:
            code = self.proc.wait(EXIT_WAIT)
        except subprocess.TimeoutExpired:
            return None
        if code == 0 and cause is None:
            return None
        return SSHFailed(self.last_words() or f"ssh exited with status {code}", code)

    def last_words(self) -> str:
        """The last lines ssh wrote to stderr, on one line, without its chatter about known hosts."""
        self.stderr.seek(0)
        text = self.stderr.read()[-4000:].decode("utf-8", "replace")
        lines = [" ".join(line.split()) for line in text.splitlines()]
        said = [line for line in lines if line and not line.startswith("Warning: Permanently added")]
        return mask_url_password("; ".join(said[-3:]))

    def recv_into(self, buffer: Any, nbytes: int = 0, flags: int = 0) -> int:
        try:
            n = super().recv_into(buffer, nbytes, flags)
        except TimeoutError:
            raise
        except OSError as exc:
            raise (self._failure(exc) or exc) from exc
        if n == 0:
            failed = self._failure()
            if failed is not None:
                raise failed
        return n

    def recv(self, bufsize: int, flags: int = 0) -> bytes:
        buffer = bytearray(bufsize)
        return bytes(buffer[:self.recv_into(buffer, bufsize, flags)])

    def sendall(self, data: Any, flags: int = 0) -> None:
        try:
            super().sendall(data, flags)
        except TimeoutError:
            raise
        except OSError as exc:
            raise (self._failure(exc) or exc) from exc

    def close(self) -> None:
        super().close()
        proc = getattr(self, "proc", None)
        if proc is not None and proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(EXIT_WAIT)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        with contextlib.suppress(AttributeError):
            self.stderr.close()


class _Connection(urllib3.connection.HTTPConnection):
    def __init__(self, target: SSHTarget, timeout: float) -> None:
        super().__init__("localhost", timeout=timeout)
        self.target = target
        self.ssh_timeout = timeout

    def connect(self) -> None:
        self.sock = SSHStream.open(self.target, self.ssh_timeout)


class _Pool(urllib3.connectionpool.HTTPConnectionPool):
    def __init__(self, target: SSHTarget, timeout: float, maxsize: int) -> None:
        super().__init__("localhost", timeout=timeout, maxsize=maxsize)
        self.target = target
        self.ssh_timeout = timeout

    def _new_conn(self) -> _Connection:
        return _Connection(self.target, self.ssh_timeout)


class SSHAdapter(requests.adapters.HTTPAdapter):
    """requests' adapter for the SDK's ``http+docker://`` URLs: every connection one ssh, pooled."""

    def __init__(self, target: SSHTarget, timeout: float, max_pool_size: int = 10) -> None:
        self.target = target
        self.ssh_timeout = timeout
        self.pool = _Pool(target, timeout, max_pool_size)
        super().__init__()

    def get_connection_with_tls_context(self, request: Any, verify: Any, proxies: Any = None,
                                        cert: Any = None) -> _Pool:
        return self.pool

    def get_connection(self, url: Any, proxies: Any = None) -> _Pool:
        return self.pool

    def request_url(self, request: Any, proxies: Any) -> str:
        return str(request.path_url)

    def close(self) -> None:
        super().close()
        self.pool.close()
