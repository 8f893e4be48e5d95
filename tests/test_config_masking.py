"""Masking: secrets hidden in shown values and scrubbed from free text in every encoding."""

from __future__ import annotations

import json
import re
from urllib.parse import quote

from tests.config_samples import BUCKET_SECRET, LICENSE, MYSQL_PASSWORD, OIDC_SECRET, REDIS_PASSWORD, canary_config
from wbtui.config import masking
from wbtui.config.masking import MASK, mask_url_password, mask_value, secrets_of


def test_mask_value_keeps_structure() -> None:
    config = canary_config()
    bucket = mask_value("BUCKET", config.server.BUCKET)
    assert bucket == "s3://CANARYACCESSKEY:****@minio.example.com:9000/wandb-files?tls=true"
    assert mask_value("MYSQL", config.server.MYSQL) == "mysql://wandb_local:****@db.example.com:3306/wandb_local"
    assert mask_value("LICENSE", LICENSE) == f"{MASK} ({len(LICENSE)} chars)"
    assert mask_value("env.OIDC_CLIENT_SECRET", OIDC_SECRET) == MASK
    assert mask_value("env.REDIS", f"redis://:{REDIS_PASSWORD}@r:6379") == "redis://:****@r:6379"
    assert mask_value("env.OIDC_ISSUER", "https://sso") == "https://sso"
    assert mask_value("HOST", "https://wandb.example.com") == "https://wandb.example.com"
    assert mask_value("runtime.port", "8080") == "8080"


def test_unparseable_secret_urls_are_still_masked() -> None:
    assert mask_value("MYSQL", "mysql://u:hunter2@") == "mysql://u:****@"
    assert mask_value("BUCKET", "garbage-without-at") == MASK


def test_redactor_scrubs_every_form() -> None:
    config = canary_config()
    redact = masking.screen(config)
    for secret in (BUCKET_SECRET, MYSQL_PASSWORD, OIDC_SECRET, REDIS_PASSWORD, LICENSE):
        for form in (secret, quote(secret, safe=""), json.dumps(secret)[1:-1],
                     json.dumps(secret, ensure_ascii=False)[1:-1]):
            assert redact(f"error near {form} here") == f"error near {MASK} here", form


def test_redactor_without_url_masking_keeps_placeholders() -> None:
    example = "mysql://wandb_local:PASSWORD@db.example.com/wandb_local"
    assert masking.examples(canary_config())(example) == example
    assert "PASSWORD" not in masking.screen(canary_config())(example)


def test_secrets_of_ignores_very_short_values() -> None:
    config = canary_config()
    config.env["API_TOKEN"] = "ab"
    assert "ab" not in secrets_of(config)


def test_mask_url_password_in_free_text() -> None:
    assert mask_url_password("dial mysql://u:pw@db:3306/x failed") == "dial mysql://u:****@db:3306/x failed"


def test_policies() -> None:
    """screen masks URL passwords, examples keeps them; logs and bundle also catch lower-case hex."""
    config = canary_config()
    url = "mysql://wandb_local:PASSWORD@db.example.com/wandb_local"
    assert masking.screen(config)(url) != url and masking.examples(config)(url) == url
    lower = re.sub("%[0-9A-F]{2}", lambda m: m.group().lower(), quote(BUCKET_SECRET, safe=""))  # %2f
    assert lower != quote(BUCKET_SECRET, safe="")  # the canary has characters that encode
    assert MASK in masking.logs(config)(lower) and MASK in masking.bundle(config)(lower)
    assert lower in masking.bundle_forms(config) and lower not in secrets_of(config)
    assert masking.revealed()(f"{url} {BUCKET_SECRET}") == f"{url} {BUCKET_SECRET}"


def test_screen_masks_every_config_given() -> None:
    """The dashboard masks the secrets of the saved config and of the draft being edited."""
    saved, draft = canary_config(), canary_config()
    draft.env["API_TOKEN"] = "Draft-Only-Token-123"
    assert masking.screen(saved, draft)("x Draft-Only-Token-123 y") == f"x {MASK} y"
    assert masking.screen(saved)("x Draft-Only-Token-123 y") == "x Draft-Only-Token-123 y"


def test_a_config_repr_shows_no_secret() -> None:
    """A repr reaches tracebacks, test failures and debuggers: the same masks as on screen."""
    config = canary_config()
    shown = repr(config)
    assert not [secret for secret in secrets_of(config) if secret in shown]
    assert "MYSQL='mysql://wandb_local:****@db.example.com:3306/wandb_local'" in shown
    assert f"LICENSE='{MASK} ({len(LICENSE)} chars)'" in shown
    assert "RuntimeSettings(backend='docker'" in shown and "HOST='https://" in shown
