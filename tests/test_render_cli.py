"""`wbtui render KIND`: no secret unless --reveal, private files for secrets, findings on stderr."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from tests.config_samples import LICENSE, OIDC_SECRET, assert_no_canary, canary_config
from tests.test_cli_config import Wbtui
from wbtui.cli.render_cmd import KINDS
from wbtui.config import store
from wbtui.config.model import Config

SECRET_KINDS = {"docker": "-e", "docker-env": "LICENSE=", "kubernetes": "LICENSE:", "sql": "IDENTIFIED",
                "mc": "alias", "cors": "AWS_SECRET"}
EXTRA = {"cors": ["--format", "commands"]}


@pytest.fixture(autouse=True)
def wide_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "250")


@pytest.fixture
def cfg(tmp_path: Path) -> Path:
    path = tmp_path / "config.toml"
    store.save(canary_config(), path)
    return path


@pytest.fixture
def wbtui(cfg: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Wbtui:
    return Wbtui(cfg, capsys, monkeypatch)


@pytest.mark.parametrize("kind", KINDS)
def test_no_secret_unless_revealed(wbtui: Wbtui, kind: str) -> None:
    code, out, err = wbtui("render", kind, *EXTRA.get(kind, []))
    assert code == 0 and out and err == "", err
    assert_no_canary(out + err)
    code, out, err = wbtui("render", kind, *EXTRA.get(kind, []), "--json")
    assert code == 0 and json.loads(out)["kind"] == kind
    assert_no_canary(out + err)


@pytest.mark.parametrize("kind", SECRET_KINDS)
def test_reveal_shows_secrets(wbtui: Wbtui, kind: str) -> None:
    code, out, _ = wbtui("render", kind, *EXTRA.get(kind, []), "--reveal")
    assert code == 0 and SECRET_KINDS[kind] in out
    with pytest.raises(AssertionError, match="secret leaked"):
        assert_no_canary(out)
    data = json.loads(wbtui("render", kind, *EXTRA.get(kind, []), "--reveal", "--json")[1])
    with pytest.raises(AssertionError, match="secret leaked"):
        assert_no_canary(data["text"])


def test_revealed_file_is_private_and_masked_file_is_not(wbtui: Wbtui, tmp_path: Path) -> None:
    env_file = tmp_path / "wandb.env"
    code, out, err = wbtui("render", "docker-env", "--reveal", "-o", str(env_file))
    assert code == 0 and out == "" and f"wrote {env_file} (mode 0600)" in err
    assert stat.S_IMODE(env_file.stat().st_mode) == 0o600 and f"LICENSE={LICENSE}\n" in env_file.read_text()
    assert f"OIDC_CLIENT_SECRET={OIDC_SECRET}\n" in env_file.read_text()
    masked = tmp_path / "k8s.yaml"
    data = wbtui.json("render", "kubernetes", "-o", str(masked))
    assert data == {"kind": "kubernetes", "text": None, "path": str(masked), "mode": "0644", "findings": []}
    assert stat.S_IMODE(masked.stat().st_mode) == 0o644
    assert_no_canary(masked.read_text())
    unit = tmp_path / "wandb-local.service"
    assert wbtui("render", "systemd", "-o", str(unit))[0] == 0 and "ExecStart=" in unit.read_text()


def test_output_to_a_missing_directory(wbtui: Wbtui, tmp_path: Path) -> None:
    code, _, err = wbtui("render", "nginx", "-o", str(tmp_path / "no" / "nginx.conf"))
    assert code == 1 and "not a directory" in err


def test_config_errors_render_anyway_with_exit_1(wbtui: Wbtui, cfg: Path) -> None:
    store.save(Config(), cfg)
    code, out, err = wbtui("render", "docker")
    assert code == 1 and out.startswith("# The guide's --rm") and "docker run -d" in out
    assert "error: HOST: HOST is not set" in err and "warning(s) in the configuration" in err
    data = wbtui.json("render", "nginx", expect=1)
    assert "server_name         wandb.invalid;" in data["text"]
    assert any(f["field"] == "HOST" and f["severity"] == "error" for f in data["findings"])


def test_renderer_options(wbtui: Wbtui) -> None:
    out = wbtui("render", "docker", "--env-file", "/run/w.env")[1]
    assert "--env-file /run/w.env" in out and " -e " not in out
    out = wbtui("render", "nginx", "--upstream", "10.0.0.9:8080", "--cert", "/c.pem", "--key", "/k.pem")[1]
    assert "proxy_pass  http://10.0.0.9:8080;" in out and "ssl_certificate     /c.pem;" in out
    out = wbtui("render", "systemd", "--env-file", "/x.env", "--docker", "/usr/local/bin/docker")[1]
    assert "ExecStart=/usr/local/bin/docker run --rm --name wandb-local --env-file /x.env" in out
    out = wbtui("render", "sql", "--if-not-exists", "--user-host", "10.%", "--no-backslash-escapes")[1]
    assert "CREATE USER IF NOT EXISTS 'wandb_local'@'10.%'" in out and "Assumes the default" not in out
    assert "mc config host add wandb " in wbtui("render", "mc", "--legacy", "--alias", "wandb")[1]
    assert "<CORSConfiguration" in wbtui("render", "cors", "--format", "xml")[1]
    assert json.loads(wbtui("render", "cors")[1])["CORSRules"][0]["AllowedMethods"] == ["GET", "PUT", "HEAD"]


def test_usage(wbtui: Wbtui) -> None:
    assert wbtui("render")[0] == 2
    assert wbtui("render", "helm")[0] == 2
    assert wbtui("render", "nginx", "--reveal")[0] == 2  # nginx output never holds a secret
    for kind in KINDS:
        code, out, _ = wbtui("render", kind, "--help")
        assert code == 0 and "-o FILE" in out
