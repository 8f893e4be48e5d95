"""The runner: stores run concurrently, results arrive one at a time, exit codes follow --strict."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest

from tests.services.base import free_port, silent_endpoint
from wbtui.checks import runner
from wbtui.checks.model import CheckResult, Status
from wbtui.checks.runner import exit_code, run_checks
from wbtui.config.model import Config


def result(status: Status) -> CheckResult:
    return CheckResult("x", "X", status, "summary")


@pytest.mark.parametrize(("statuses", "strict", "code"), [
    ([], False, 0),
    ([Status.PASS, Status.SKIPPED], False, 0),
    ([Status.PASS, Status.WARN], False, 0),
    ([Status.PASS, Status.WARN], True, 1),
    ([Status.PASS, Status.FAIL], False, 1),
    ([Status.SKIPPED], True, 0),
])
def test_exit_code(statuses: list[Status], strict: bool, code: int) -> None:
    assert exit_code([result(s) for s in statuses], strict) == code


def test_unknown_store_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown store 'redis'"):
        run_checks(Config(), ("redis",))


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A loopback port that accepts TCP connections and never answers."""
    with silent_endpoint() as port:
        yield port
def silent_config(port: int) -> Config:
    config = Config()
    config.server.MYSQL = f"mysql://wandb_local:my-secret-pw@127.0.0.1:{port}/wandb_local"
    config.server.BUCKET = f"s3://AKIAEXAMPLE:s3-secret-key@127.0.0.1:{port}/wandb"
    return config


def test_stores_run_concurrently_and_deliver_every_result(silent_port: int) -> None:
    config = silent_config(silent_port)
    run_checks(config, timeout=0.1)  # warm up the client libraries' imports
    timeout = 2.0
    seen: list[CheckResult] = []
    threads: set[str] = set()

    def on_result(r: CheckResult) -> None:
        threads.add(threading.current_thread().name)
        seen.append(r)

    started = time.monotonic()
    results = run_checks(config, timeout=timeout, on_result=on_result)
    elapsed = time.monotonic() - started
    assert sorted(id(r) for r in seen) == sorted(id(r) for r in results)
    assert [r.store for r in results] == sorted((r.store for r in results), key=("mysql", "s3").index)
    assert {r.store for r in results} == {"mysql", "s3"}
    assert len(threads) == 2  # each store in its own thread
    failed = {r.id for r in results if r.status is Status.FAIL}
    assert "mysql.connect" in failed and any(x.startswith("s3.") for x in failed)
    # One silent endpoint costs each store about one timeout; run in parallel they cost one, not two.
    assert elapsed < 1.6 * timeout
    for r in results:
        assert "my-secret-pw" not in r.summary + r.details + r.fix
        assert "s3-secret-key" not in r.summary + r.details + r.fix


def test_a_crashing_store_does_not_hide_the_other(monkeypatch: pytest.MonkeyPatch) -> None:
    real = runner._store_runner

    def broken(config: Config, **kwargs: object) -> list[CheckResult]:
        raise RuntimeError("boom with my-secret-pw inside")

    monkeypatch.setattr(runner, "_store_runner", lambda store: broken if store == "s3" else real(store))
    config = Config()
    config.server.MYSQL = f"mysql://wandb_local:my-secret-pw@127.0.0.1:{free_port()}/wandb_local"
    config.server.BUCKET = "s3://AK:my-secret-pw@127.0.0.1:9/b"
    results = run_checks(config, timeout=1.0)
    s3 = [r for r in results if r.store == "s3"]
    assert [(r.id, r.status) for r in s3] == [("s3.internal", Status.FAIL)]
    assert "boom" in s3[0].summary and "my-secret-pw" not in s3[0].summary
    assert any(r.id == "mysql.connect" and r.data["cause"] == "refused" for r in results)
