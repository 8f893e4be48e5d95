"""Which stores' results a config change makes out of date."""

from __future__ import annotations

from wbtui.checks.runner import STORES, stores_changed
from wbtui.config.model import Config


def changed(key: str, value: object) -> tuple[str, ...]:
    old = Config()
    new = old.copy()
    section, _, attr = key.rpartition(".")
    setattr(getattr(new, section) if section else new.server, attr, value)
    return stores_changed(old, new)


def test_a_store_setting_makes_only_that_stores_results_stale() -> None:
    assert changed("MYSQL", "mysql://u:p@db:3306/w") == ("mysql",)
    assert changed("BUCKET", "s3://a:b@s3:9000/w") == ("s3",)
    assert changed("AWS_REGION", "eu-west-1") == ("s3",)
    assert changed("HOST", "https://w.example.com") == ("s3",)  # the CORS origin and signed URLs
    assert changed("app.timeout", 9.0) == STORES
    assert changed("app.theme", "ansi-dark") == ()
    assert changed("runtime.port", 9090) == ()
