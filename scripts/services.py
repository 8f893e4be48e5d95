#!/usr/bin/env python3
"""Start, stop and inspect the test services by hand: ``services.py start|stop|status``.

The same servers the pytest fixtures start (Docker engine + W&B stand-in image, MariaDB,
Ceph radosgw), kept running by a small background supervisor until ``stop``. Connection
details go to ``.services/services.json`` and ``.services/services.env`` (mode 600,
gitignored); the terminal only ever shows them masked. MariaDB's data persists in
``.services/mariadb`` between runs; Ceph's (memstore) does not.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests.services.docker_engine import DockerEngine, ensure_standin_image  # noqa: E402
from tests.services.mariadb import MariaDB  # noqa: E402
from wbtui.config.masking import MASK  # noqa: E402
from wbtui.config.urls import MysqlURL  # noqa: E402

STATE = REPO / ".services"
PID_FILE = STATE / "supervisor.pid"
DETAILS = STATE / "services.json"
ENV_FILE = STATE / "services.env"
LOG = STATE / "supervisor.log"


def _write_private(path: Path, text: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(text)


def _root_password() -> str:
    """MariaDB's data dir persists, so its root password must too."""
    path = STATE / "mariadb-root-password"
    if not path.exists():
        _write_private(path, secrets.token_hex(12))
    return path.read_text().strip()


def _supervisor_pid() -> int | None:
    """PID of the running supervisor, or None (stale PID files are ignored)."""
    try:
        pid = int(PID_FILE.read_text())
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except (OSError, ValueError):
        return None
    return pid if b"services.py" in cmdline else None


def _start_services() -> tuple[list[Any], dict[str, Any]]:
    """Start every service; a failing one is recorded and the others still start."""
    running: list[Any] = []
    details: dict[str, Any] = {"supervisor_pid": os.getpid(), "startup_seconds": {}}
    times = details["startup_seconds"]

    engine = DockerEngine(STATE / "dockerd")
    try:
        engine.start()
        running.append(engine)
        began = time.monotonic()
        with contextlib.closing(engine.client()) as client:
            _, built = ensure_standin_image(client)
        times["docker"] = engine.startup_seconds
        times["standin image " + ("build" if built else "check")] = time.monotonic() - began
        details["docker"] = {"host": engine.host, "started_dockerd": engine.started_here,
                             "standin_image": "wbtui-test/local:dev"}
    except Exception as exc:  # reported in the details, the rest still start
        details["docker"] = {"error": str(exc)}

    db = MariaDB(STATE / "mariadb", root_password=_root_password())
    try:
        db.start()
        running.append(db)
        times["mariadb"] = db.startup_seconds
        details["mariadb"] = {"host": db.host, "port": db.port, "socket": db.socket,
                              "root_user": db.root_user, "root_password": db.root_password,
                              "admin_url": db.admin_url}
    except Exception as exc:
        db.stop()
        details["mariadb"] = {"error": str(exc)}

    if importlib.util.find_spec("tests.services.ceph") is not None:
        from tests.services.ceph import CephCluster

        shutil.rmtree(STATE / "ceph", ignore_errors=True)  # memstore: nothing worth keeping
        ceph = CephCluster(STATE / "ceph")
        try:
            ceph.start()
            running.append(ceph)
            times["ceph"] = getattr(ceph, "startup_seconds", None)
            details["s3"] = {"endpoint": ceph.endpoint, "access_key": ceph.access_key,
                             "secret_key": ceph.secret_key, "region": ceph.region}
        except Exception as exc:
            ceph.stop()
            details["s3"] = {"error": str(exc)}
    return running, details


def _env_lines(details: dict[str, Any]) -> list[str]:
    lines: list[str] = []
    docker, db, s3 = (details.get(k, {}) for k in ("docker", "mariadb", "s3"))
    if "host" in docker:
        lines.append(f"export DOCKER_HOST='{docker['host']}'")
    if "admin_url" in db:
        lines.append(f"export WBTUI_TEST_MYSQL='{db['admin_url']}'")
    if "endpoint" in s3:
        lines += [f"export WBTUI_TEST_S3_ENDPOINT='{s3['endpoint']}'",
                  f"export AWS_ACCESS_KEY_ID='{s3['access_key']}'",
                  f"export AWS_SECRET_ACCESS_KEY='{s3['secret_key']}'",
                  f"export AWS_REGION='{s3['region']}'"]
    return lines


def supervise(announce: bool = False) -> int:
    """Start everything, publish the details, hold until SIGTERM/SIGINT, stop in reverse."""
    STATE.mkdir(exist_ok=True)
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    _write_private(PID_FILE, str(os.getpid()))
    running, details = _start_services()
    _write_private(ENV_FILE, "\n".join(_env_lines(details)) + "\n")
    _write_private(DETAILS, json.dumps(details, indent=2))
    if announce:
        _print_details(details)
        print("running; Ctrl-C stops them", flush=True)
    try:
        stop.wait()
    finally:
        for service in reversed(running):
            try:
                service.stop()
            except Exception as exc:  # keep stopping the others
                print(f"stopping {type(service).__name__}: {exc}", file=sys.stderr, flush=True)
        for path in (DETAILS, ENV_FILE, PID_FILE):
            path.unlink(missing_ok=True)
    return 0


def _masked(details: dict[str, Any]) -> dict[str, Any]:
    shown = json.loads(json.dumps(details))
    for section in ("mariadb", "s3"):
        for key in ("root_password", "secret_key"):
            if key in shown.get(section, {}):
                shown[section][key] = MASK
    if "admin_url" in shown.get("mariadb", {}):
        shown["mariadb"]["admin_url"] = MysqlURL.parse(shown["mariadb"]["admin_url"]).masked()
    return shown


def _print_details(details: dict[str, Any]) -> None:
    for name, section in _masked(details).items():
        if isinstance(section, dict) and name != "startup_seconds":
            print(f"{name}:")
            for key, value in section.items():
                print(f"  {key}: {value}")
    for name, seconds in details.get("startup_seconds", {}).items():
        if seconds is not None:
            print(f"start-up {name}: {seconds:.1f}s")
    print(f"connection details (unmasked): {DETAILS} and {ENV_FILE}")


def start(timeout: float) -> int:
    if (pid := _supervisor_pid()) is not None:
        print(f"services already running (supervisor PID {pid})")
        return status()
    STATE.mkdir(exist_ok=True)
    DETAILS.unlink(missing_ok=True)
    with open(LOG, "ab") as log:
        proc = subprocess.Popen(
            [sys.executable, str(Path(__file__).resolve()), "_supervise"], cwd=REPO,
            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    deadline = time.monotonic() + timeout
    while not DETAILS.exists():
        if proc.poll() is not None:
            print(f"supervisor exited with {proc.returncode}; see {LOG}", file=sys.stderr)
            return 1
        if time.monotonic() > deadline:
            print(f"services not up after {timeout:.0f}s; see {LOG}; run stop", file=sys.stderr)
            return 1
        time.sleep(0.2)
    details = json.loads(DETAILS.read_text())
    _print_details(details)
    failed = [k for k, v in details.items() if isinstance(v, dict) and "error" in v]
    return 1 if failed else 0


def stop(timeout: float) -> int:
    pid = _supervisor_pid()
    if pid is None:
        print("services not running")
        return 0
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while _supervisor_pid() == pid:
        if time.monotonic() > deadline:
            print(f"supervisor PID {pid} still running after {timeout:.0f}s; see {LOG}",
                  file=sys.stderr)
            return 1
        time.sleep(0.2)
    print("services stopped")
    return 0


def _probe(details: dict[str, Any]) -> dict[str, str]:
    """One live check per service: does it answer right now?"""
    results: dict[str, str] = {}
    if "host" in details.get("docker", {}):
        import docker

        try:
            with contextlib.closing(docker.DockerClient(base_url=details["docker"]["host"],
                                                        timeout=5)) as client:
                results["docker"] = "ok" if client.ping() else "no answer"
        except Exception as exc:  # the probe's failure is its result
            results["docker"] = f"error: {exc}"
    if "port" in details.get("mariadb", {}):
        import pymysql

        db = details["mariadb"]
        try:
            conn = pymysql.connect(host=db["host"], port=db["port"], user=db["root_user"],
                                   password=db["root_password"], connect_timeout=5)
            with conn, conn.cursor() as cur:
                cur.execute("SELECT VERSION()")
                results["mariadb"] = f"ok ({cur.fetchone()[0]})"
        except pymysql.Error as exc:
            results["mariadb"] = f"error: {exc.args[-1] if exc.args else exc}"
    if "endpoint" in details.get("s3", {}):
        import httpx

        try:
            code = httpx.get(details["s3"]["endpoint"], timeout=5).status_code
            results["s3"] = f"ok (HTTP {code})"
        except httpx.HTTPError as exc:
            results["s3"] = f"error: {exc}"
    return results


def status() -> int:
    pid = _supervisor_pid()
    if pid is None or not DETAILS.exists():
        print("services not running" if pid is None else f"supervisor PID {pid} still starting")
        return 1
    details = json.loads(DETAILS.read_text())
    print(f"supervisor PID {pid}")
    _print_details(details)
    results = _probe(details)
    for name, result in results.items():
        print(f"probe {name}: {result}")
    return 0 if all(r.startswith("ok") for r in results.values()) else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["start", "stop", "status", "_supervise"])
    parser.add_argument("--foreground", action="store_true",
                        help="start: run in this terminal until Ctrl-C")
    parser.add_argument("--timeout", type=float, default=180,
                        help="seconds to wait for start/stop (default 180)")
    args = parser.parse_args(argv)
    if args.command == "_supervise" or (args.command == "start" and args.foreground):
        if args.foreground and (pid := _supervisor_pid()) is not None:
            print(f"services already running (supervisor PID {pid})")
            return 1
        return supervise(announce=args.foreground)
    if args.command == "start":
        return start(args.timeout)
    if args.command == "stop":
        return stop(args.timeout)
    return status()


if __name__ == "__main__":
    sys.exit(main())
