"""A one-node Ceph cluster with radosgw on loopback: the tests' S3 object store.

One mon, one memstore OSD and radosgw, no cephx; config, data, sockets and logs
under one work dir, each daemon on its own free port and stopped by its PID.
The zonegroup's api name is the region, so radosgw accepts a bucket
LocationConstraint only when it equals that region, as AWS and MinIO do.

Why it starts in about 2 s rather than 16: a fast paxos interval (every map
change otherwise waits a second), no mgr, no ``ceph`` CLI (a Python start-up per
command): the mon is created with an osdmap that already places osd.0 in CRUSH,
and the OSD does not update CRUSH at boot (that command can beat the monmap and
fail the OSD with "wrong fsid"). radosgw-admin's first write waits for the OSD.
"""

from __future__ import annotations

import secrets
import shutil
import subprocess
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.services.base import Process, ServiceError, free_port, require_binaries
from wbtui.config.urls import BucketURL

BINARIES = ("monmaptool", "osdmaptool", "ceph-mon", "ceph-osd", "radosgw", "radosgw-admin")
_EADDRINUSE = 98  # radosgw's exit status when its port is taken
_DAEMON_LOGS = {"mon": "ceph-mon.a.log", "osd": "ceph-osd.0.log", "rgw": "ceph-client.rgw.log"}


class CephCluster:
    """Start, use and stop one mon + one memstore OSD + radosgw; S3 details as attributes."""

    host = "127.0.0.1"

    def __init__(self, workdir: Path, region: str = "us-east-1") -> None:
        self.workdir = Path(workdir)
        self.region = region
        self.mon_port = free_port()
        self.host_port = free_port()
        self.endpoint = f"http://{self.host}:{self.host_port}"
        self.access_key = "WBTUI" + secrets.token_hex(8).upper()
        self.secret_key = secrets.token_urlsafe(30)
        self.fsid = str(uuid.uuid4())
        self.conf = self.workdir / "ceph.conf"
        self.startup_seconds: float | None = None
        self._procs: dict[str, Process] = {}

    # -- lifecycle ---------------------------------------------------------

    def start(self, timeout: float = 90) -> None:
        """Create the cluster from nothing and wait until radosgw answers HTTP.

        On failure everything already started is stopped before ServiceError is raised.
        """
        require_binaries(*BINARIES)
        began = time.monotonic()
        deadline = began + timeout
        try:
            for sub in ("run", "log", "mon.a", "osd.0", "rgw"):
                (self.workdir / sub).mkdir(parents=True, exist_ok=True)
            self._write_conf()
            self._start_mon(deadline)
            self._start_osd(deadline)
            self._prepare_rgw(deadline)
            self._start_rgw(deadline)
        except BaseException:
            self.stop()
            raise
        self.startup_seconds = time.monotonic() - began

    def stop(self) -> None:
        """Stop radosgw, the OSD and the mon, in that order, each by its PID."""
        for name in ("rgw", "osd", "mon"):
            proc = self._procs.pop(name, None)
            if proc is not None:
                proc.stop()

    def remove_data(self) -> None:
        shutil.rmtree(self.workdir, ignore_errors=True)

    @property
    def pids(self) -> dict[str, int]:
        return {name: proc.pid for name, proc in self._procs.items() if proc.alive()}

    def rss_bytes(self) -> int:
        """Resident memory of the running daemons (for the start-up report)."""
        total = 0
        for pid in self.pids.values():
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) * 1024
        return total

    # -- helpers for tests -------------------------------------------------

    def s3_client(self, access_key: str | None = None, secret_key: str | None = None) -> Any:
        """A boto3 S3 client for this radosgw: path-style, SigV4, the cluster's region."""
        import boto3
        from botocore.config import Config

        return boto3.client(
            "s3", endpoint_url=self.endpoint, region_name=self.region,
            aws_access_key_id=access_key or self.access_key,
            aws_secret_access_key=secret_key or self.secret_key,
            config=Config(s3={"addressing_style": "path"}, signature_version="s3v4",
                          connect_timeout=10, read_timeout=30,
                          retries={"total_max_attempts": 1, "mode": "standard"}),
        )

    def bucket_url(self, bucket: str, access_key: str | None = None, secret_key: str | None = None,
                   tls: bool = False) -> str:
        """The ``BUCKET`` setting W&B would get for this store."""
        return BucketURL(access_key=access_key or self.access_key, secret_key=secret_key or self.secret_key,
                         host=self.host, port=self.host_port, bucket=bucket, tls=tls).format()

    def delete_bucket(self, bucket: str) -> None:
        """Remove a bucket with its objects and unfinished uploads; a missing bucket is fine."""
        from botocore.exceptions import ClientError

        s3 = self.s3_client()
        try:
            for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
                for obj in page.get("Contents", []):
                    s3.delete_object(Bucket=bucket, Key=obj["Key"])
            for upload in s3.list_multipart_uploads(Bucket=bucket).get("Uploads", []):
                s3.abort_multipart_upload(Bucket=bucket, Key=upload["Key"], UploadId=upload["UploadId"])
            s3.delete_bucket(Bucket=bucket)
        except ClientError as exc:
            if exc.response["Error"]["Code"] != "NoSuchBucket":
                raise

    # -- steps -------------------------------------------------------------

    def _write_conf(self) -> None:
        w = self.workdir
        self.conf.write_text(f"""[global]
fsid = {self.fsid}
mon host = [v1:{self.host}:{self.mon_port}]
mon initial members = a
ms bind msgr2 = false
public addr = {self.host}
cluster addr = {self.host}
auth cluster required = none
auth service required = none
auth client required = none
run dir = {w}/run
admin socket = {w}/run/$cluster-$name.asok
pid file = {w}/run/$cluster-$name.pid
log file = {w}/log/$cluster-$name.log
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 8
osd pool default pgp num = 8
osd pool default pg autoscale mode = off
mon max pg per osd = 1000
mon allow pool size one = true
mon warn on pool no redundancy = false
osd crush chooseleaf type = 0
paxos propose interval = 0.01
paxos min wait = 0.001

[mon]
mon data = {w}/mon.$id
mon cluster log file = {w}/log/mon-cluster.log

[osd]
osd data = {w}/osd.$id
osd objectstore = memstore
memstore device bytes = 2147483648
osd crush update on start = false
osd class update on start = false

[client.rgw]
rgw frontends = beast endpoint={self.host}:{self.host_port}
rgw data = {w}/rgw
""")

    def _run(self, *argv: str, deadline: float, stdin: str | None = None) -> str:
        """Run one Ceph tool with this cluster's conf until the deadline, stopping early if a daemon dies."""
        what = " ".join(argv[:3])
        proc = subprocess.Popen([argv[0], "-c", str(self.conf), *argv[1:]], text=True,
                                stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            while True:
                try:
                    out, err = proc.communicate(stdin, timeout=0.05)
                    break
                except subprocess.TimeoutExpired:
                    stdin = None  # already handed over; communicate() resumes the writing
                self._check_daemons()
                if time.monotonic() > deadline:
                    raise ServiceError(f"{what} did not finish before the start-up deadline")
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.communicate()
        if proc.returncode != 0:
            raise ServiceError(f"{what} failed ({proc.returncode}): {(err or out).strip()[-1500:]}")
        return out

    def _spawn(self, name: str, *argv: str) -> None:
        self._procs[name] = Process([argv[0], "-c", str(self.conf), *argv[1:]],
                                    self.workdir / "log" / f"{name}.out")

    def _check_daemons(self) -> None:
        """A daemon that died ends the start at once, with its log's tail."""
        for name, proc in self._procs.items():
            if not proc.alive():
                log = self.workdir / "log" / _DAEMON_LOGS[name]
                tail = log.read_text(errors="replace")[-1500:] if log.exists() else ""
                raise ServiceError(f"ceph {name} exited with {proc.popen.returncode}:\n{proc.tail()}\n{tail}")

    def _wait(self, probe: Callable[[], bool], deadline: float, what: str, interval: float = 0.1) -> None:
        """Poll ``probe`` until true; a dead daemon or the deadline raise ServiceError."""
        last: Exception | None = None
        while time.monotonic() < deadline:
            self._check_daemons()
            try:
                if probe():
                    return
            except Exception as exc:  # a tool's error or a refused connection: try again
                last = exc
            time.sleep(interval)
        raise ServiceError(f"{what} not ready in time" + (f": {last}" if last else ""))

    def _start_mon(self, deadline: float) -> None:
        """Monmap and an osdmap that already holds osd.0 in its CRUSH map, then the mon."""
        monmap, osdmap = self.workdir / "monmap", self.workdir / "osdmap"
        self._run("monmaptool", "--create", "--clobber", "--fsid", self.fsid, "--addv", "a",
                  f"[v1:{self.host}:{self.mon_port}]", str(monmap), deadline=deadline)
        self._run("osdmaptool", "--createsimple", "1", "--clobber", str(osdmap), deadline=deadline)
        self._run("ceph-mon", "--mkfs", "-i", "a", "--monmap", str(monmap), "--osdmap", str(osdmap),
                  deadline=deadline)
        self._spawn("mon", "ceph-mon", "-f", "-i", "a")

    def _start_osd(self, deadline: float) -> None:
        self._run("ceph-osd", "-i", "0", "--mkfs", "--osd-uuid", str(uuid.uuid4()), deadline=deadline)
        self._spawn("osd", "ceph-osd", "-f", "-i", "0")

    def _prepare_rgw(self, deadline: float) -> None:
        """The S3 user and the zonegroup's api name, set before radosgw starts (no restart).

        radosgw-admin's first write waits until the OSD is up and its pool active, so
        no separate poll for the OSD is needed.
        """
        admin = ("radosgw-admin", "-n", "client.rgw")
        self._run(*admin, "user", "create", "--uid", "wbtui-test", "--display-name", "wbtui tests",
                  "--access-key", self.access_key, "--secret", self.secret_key, deadline=deadline)
        self._run(*admin, "zonegroup", "modify", "--rgw-zonegroup", "default", "--api-name", self.region,
                  deadline=deadline)

    def _start_rgw(self, deadline: float, attempts: int = 3) -> None:
        """Start radosgw; if someone took its port since free_port() chose it, move to another."""
        import httpx

        for attempt in range(1, attempts + 1):
            self._spawn("rgw", "radosgw", "-f", "-n", "client.rgw")
            try:
                self._wait(lambda: httpx.get(self.endpoint, timeout=2).status_code in (200, 403), deadline,
                           f"radosgw on {self.endpoint}")
                return
            except ServiceError:
                proc = self._procs.pop("rgw")
                proc.stop()
                if proc.popen.returncode != _EADDRINUSE or attempt == attempts:
                    self._procs["rgw"] = proc
                    raise
            self.host_port = free_port()
            self.endpoint = f"http://{self.host}:{self.host_port}"
            self._write_conf()
