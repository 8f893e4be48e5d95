"""The wheel, built as pip builds it, installed into a fresh venv and run from there (not from the checkout).

The wheel goes in with --no-deps; its dependencies come from this checkout's .venv through a .pth line (a plain
path: that directory's own .pth files, the editable install of the checkout among them, are not read), so the
test needs no download of them and still runs the installed code with the versions CI pins."""

from __future__ import annotations

import email
import os
import shutil
import site
import subprocess
import sys
import sysconfig
import time
import zipfile
from pathlib import Path

import pytest

from wbtui import __version__

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.tools


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(ROOT)],
                   check=True, timeout=240, stdin=subprocess.DEVNULL)
    return next(out.glob("wbtui-*.whl"))


@pytest.fixture(scope="module")
def venv(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A venv with only the wheel installed (and the checkout's dependencies on its path)."""
    root = tmp_path_factory.mktemp("venv") / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(root)], check=True, timeout=120)
    subprocess.run([sys.executable, "-m", "pip", "--python", str(root / "bin" / "python"), "install", "-q",
                    "--no-deps", "--no-index", str(wheel)], check=True, timeout=240, stdin=subprocess.DEVNULL)
    purelib = Path(subprocess.run([str(root / "bin" / "python"), "-c",
                                   "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                                  capture_output=True, text=True, check=True, timeout=60).stdout.strip())
    (purelib / "zz_checkout_dependencies.pth").write_text("\n".join(site.getsitepackages()) + "\n")
    return root


def _run(venv: Path, *argv: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV") and
           not k.startswith("WBTUI_")}
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    return subprocess.run(list(argv), capture_output=True, text=True, timeout=120, cwd=cwd, env=env,
                          stdin=subprocess.DEVNULL)


def test_the_wheel_carries_the_package_the_stylesheets_the_man_page_and_the_license(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    css = {f"wbtui/_css/{p.name}" for p in (ROOT / "css").glob("*.tcss")}
    assert css and css <= names
    assert {"wbtui/ui/app.py", "wbtui/cli/completion_cmd.py"} <= names
    info = f"wbtui-{__version__}.dist-info"
    assert f"wbtui-{__version__}.data/data/share/man/man1/wbtui.1" in names
    assert f"{info}/licenses/LICENSE" in names
    metadata = email.message_from_bytes(zipfile.ZipFile(wheel).read(f"{info}/METADATA"))
    assert metadata["License-Expression"] == "MIT"
    required = {line.split(">")[0].split("=")[0].strip() for line in metadata.get_all("Requires-Dist") or []}
    assert {"PyYAML", "shtab", "textual", "botocore"} <= required


def test_the_installed_wbtui_runs_from_the_venv(venv: Path, tmp_path: Path) -> None:
    began = time.monotonic()
    where = _run(venv, str(venv / "bin" / "python"), "-c",
                 "import wbtui, wbtui.ui.paths as p; print(wbtui.__file__); print(p.app_css())", cwd=tmp_path)
    assert where.returncode == 0, where.stderr
    module, css = where.stdout.splitlines()
    assert Path(module).is_relative_to(venv) and Path(css).is_relative_to(venv) and Path(css).is_file()

    assert _run(venv, "wbtui", "--version", cwd=tmp_path).stdout == f"wbtui {__version__}\n"
    shown = _run(venv, "wbtui", "--help", cwd=tmp_path)
    assert shown.returncode == 0 and "completion" in shown.stdout and "upgrade" in shown.stdout

    config = tmp_path / "config.toml"
    for key, value in (("HOST", "https://wandb.example.com"), ("runtime.tag", "0.60.0")):
        saved = _run(venv, "wbtui", "--config", str(config), "config", "set", key, value, cwd=tmp_path)
        assert saved.returncode == 0, saved.stderr
    rendered = _run(venv, "wbtui", "--config", str(config), "render", "docker", cwd=tmp_path)
    assert "docker run" in rendered.stdout and "wandb/local:0.60.0" in rendered.stdout, rendered.stderr
    assert "HOST=https://wandb.example.com" in rendered.stdout

    completion = _run(venv, "wbtui", "completion", "bash", cwd=tmp_path)
    assert completion.returncode == 0 and "complete -o bashdefault -F _shtab_wbtui wbtui" in completion.stdout
    assert time.monotonic() - began < 60


@pytest.mark.skipif(shutil.which("man") is None, reason="man-db is not installed (scripts/test.sh installs it)")
def test_the_man_page_is_installed_where_man_finds_it(venv: Path, tmp_path: Path) -> None:
    """share/man/man1 beside the venv's bin: man-db looks there for a bin directory on PATH."""
    page = venv / "share" / "man" / "man1" / "wbtui.1"
    assert page.read_text() == (ROOT / "man" / "wbtui.1").read_text()
    data = Path(sysconfig.get_paths(vars={"base": str(venv)})["data"])
    assert page.is_relative_to(data)
    found = _run(venv, "man", "-w", "wbtui", cwd=tmp_path)
    assert found.returncode == 0, found.stderr
    assert Path(found.stdout.strip()) == page
