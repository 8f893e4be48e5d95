"""`wbtui completion`: the scripts are loaded by the real shells and asked what a TAB offers.

bash: the generated function is called with COMP_WORDS/COMP_CWORD set as readline sets them, and COMPREPLY is
read. fish: `complete -C` answers for a command line. zsh: the script loads (eval, and autoloaded from $fpath)
and registers its function; zsh completes only inside its line editor, which these tests do not drive."""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from wbtui.cli.completion_cmd import IMAGE_TAG_ARGUMENTS, SETTING_KEY_ARGUMENTS, positional
from wbtui.config.model import FIELDS

REPO = Path(__file__).resolve().parent.parent
SETTING_KEYS = {spec.key for spec in FIELDS}
BASH_COMPLETION = "/usr/share/bash-completion/bash_completion"
BASH = shutil.which("bash") or "/bin/bash"  # by path: one test runs the script with a PATH of two tools

pytestmark = pytest.mark.tools

BASH_ASK = """
source "$1"; shift
COMP_WORDS=("$@"); COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))
COMP_LINE="${COMP_WORDS[*]}"; COMP_POINT=${#COMP_LINE}
_shtab_wbtui wbtui "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
printf '%s\\n' "${COMPREPLY[@]}"
"""


@pytest.fixture(scope="module")
def scripts(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("completion")
    out = {}
    for shell in ("bash", "zsh", "fish"):
        run = subprocess.run([sys.executable, "-m", "wbtui", "completion", shell], capture_output=True, text=True,
                             timeout=60, check=True, stdin=subprocess.DEVNULL)
        assert run.stderr == ""
        out[shell] = folder / f"wbtui.{shell}"
        out[shell].write_text(run.stdout)
    return out


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """A private HOME and config: what the shell functions read is what the test wrote."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WBTUI_", "KUBECONFIG", "DOCKER_"))}
    env.update(HOME=str(tmp_path / "home"), XDG_CONFIG_HOME=str(tmp_path / "config"), **extra)
    return env


def bash_offers(script: Path, *words: str, env: dict[str, str], cwd: Path | None = None) -> list[str]:
    """What a TAB after ``words`` (the last one is the word being completed, maybe '') offers in bash."""
    out = subprocess.run([BASH, "--norc", "--noprofile", "-c", BASH_ASK, "ask", str(script), "wbtui", *words],
                         capture_output=True, text=True, timeout=60, check=True, env=env, cwd=cwd)
    assert out.stderr == ""
    return [line for line in out.stdout.splitlines() if line]


def fish_offers(script: Path, line: str, env: dict[str, str]) -> set[str]:
    """What fish offers for the command line ``line`` (its last word being completed)."""
    if shutil.which("fish") is None:
        pytest.skip("fish is not installed (scripts/test.sh installs it)")
    out = subprocess.run(["fish", "--no-config", "-c", f"source {script}; complete -C {line!r}"],
                         capture_output=True, text=True, timeout=60, check=True, env=env)
    assert out.stderr == ""
    return {row.split("\t")[0] for row in out.stdout.splitlines()}


def test_bash_completes_commands_and_their_options(scripts: dict[str, Path], tmp_path: Path) -> None:
    env = _env(tmp_path)
    assert set(bash_offers(scripts["bash"], "st", env=env)) == {"start", "status", "stop", "storage"}
    assert {"config", "up", "upgrade", "completion", "doctor"} <= set(bash_offers(scripts["bash"], "", env=env))
    assert bash_offers(scripts["bash"], "completion", "", env=env) == ["bash", "zsh", "fish"]
    after = set(bash_offers(scripts["bash"], "status", "--", env=env))
    assert {"--json", "--help", "--config"} <= after
    assert "--purge" not in after  # down's, not status's
    assert "--purge" in bash_offers(scripts["bash"], "down", "--p", env=env)


def test_bash_completes_setting_keys_from_the_settings_table(scripts: dict[str, Path], tmp_path: Path) -> None:
    env = _env(tmp_path)
    assert set(bash_offers(scripts["bash"], "config", "set", "", env=env)) == SETTING_KEYS
    assert set(bash_offers(scripts["bash"], "config", "unset", "runtime.", env=env)) == {
        key for key in SETTING_KEYS if key.startswith("runtime.")}
    assert bash_offers(scripts["bash"], "config", "set", "HO", env=env) == ["HOST"]


def test_bash_completes_file_names_for_a_file_argument(scripts: dict[str, Path], tmp_path: Path) -> None:
    here = tmp_path / "here"
    here.mkdir()
    for name in ("prod.toml", "staging.toml", "notes.txt"):
        (here / name).write_text("")
    offered = bash_offers(scripts["bash"], "status", "--config", "s", env=_env(tmp_path), cwd=here)
    assert offered == ["staging.toml"]


KUBECONFIG = """\
apiVersion: v1
kind: Config
clusters:
- cluster: {server: "https://127.0.0.1:6443"}
  name: lab
contexts:
- context:
    cluster: lab
    user: admin
  name: staging
- name: prod-eu
  context: {cluster: lab, user: admin}
current-context: staging
users:
- name: admin
  user: {}
"""


def _kubeconfigs(tmp_path: Path) -> str:
    first, second = tmp_path / "kube-a", tmp_path / "kube-b"
    first.write_text(KUBECONFIG)
    second.write_text("apiVersion: v1\nkind: Config\nclusters: []\nusers: []\ncontexts:\n"
                      "- context: {cluster: lab, user: admin}\n  name: 'dev-1'\n")
    return f"{first}:{second}"


def test_bash_completes_contexts_from_the_kubeconfig_files_without_kubectl(scripts: dict[str, Path],
                                                                           tmp_path: Path) -> None:
    """No kubectl on PATH: the contexts of every file in $KUBECONFIG, read by the script itself."""
    tools = tmp_path / "bin"
    tools.mkdir()
    for tool in ("awk", "tr"):
        (tools / tool).symlink_to(shutil.which(tool) or pytest.fail(f"{tool} is needed"))
    env = _env(tmp_path, KUBECONFIG=_kubeconfigs(tmp_path), PATH=str(tools))
    offered = bash_offers(scripts["bash"], "status", "--context", "", env=env)
    assert offered == ["staging", "prod-eu", "dev-1"]
    assert bash_offers(scripts["bash"], "status", "--context", "pr", env=env) == ["prod-eu"]


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not installed")
def test_bash_completes_contexts_as_kubectl_lists_them(scripts: dict[str, Path], tmp_path: Path) -> None:
    env = _env(tmp_path, KUBECONFIG=_kubeconfigs(tmp_path))
    listed = subprocess.run(["kubectl", "config", "get-contexts", "-o", "name"], capture_output=True, text=True,
                            timeout=60, check=True, env=env).stdout.split()
    assert {"staging", "prod-eu"} <= set(listed)
    assert sorted(bash_offers(scripts["bash"], "up", "--context", "", env=env)) == sorted(listed)


@pytest.mark.docker
def test_bash_completes_the_local_tags_of_the_configured_image(scripts: dict[str, Path], tmp_path: Path,
                                                               docker_client: object, docker_host: str,
                                                               standin_image: str) -> None:
    """`wbtui upgrade <TAB>`: the tags the engine has of runtime.image, read from the config file."""
    import docker

    assert isinstance(docker_client, docker.DockerClient)
    repository = standin_image.rpartition(":")[0]
    tag = f"completion-{secrets.token_hex(3)}"
    docker_client.images.get(standin_image).tag(repository, tag)
    try:
        config = tmp_path / "config" / "wbtui" / "config.toml"
        config.parent.mkdir(parents=True)
        config.write_text(f'# mine\n[runtime]\nimage = "{repository}"  # the stand-in\ntag = "dev"\n'
                          '[backup]\nimage = "mysql:8.0"\n')
        env = _env(tmp_path, DOCKER_HOST=docker_host)
        assert bash_offers(scripts["bash"], "upgrade", "completion-", env=env) == [tag]
        assert tag in bash_offers(scripts["bash"], "upgrade", "", env=env)
        assert bash_offers(scripts["bash"], "upgrade", "", env={**env, "WBTUI_RUNTIME_IMAGE": "wbtui-test/none"}) == []
        profile = config.parent / "profiles" / "prod.toml"  # $WBTUI_PROFILE's file, as wbtui picks it
        profile.parent.mkdir()
        profile.write_text(config.read_text())
        config.write_text('[runtime]\nimage = "wbtui-test/none-such"\n')
        assert bash_offers(scripts["bash"], "upgrade", "", env=env) == []
        assert tag in bash_offers(scripts["bash"], "upgrade", "", env={**env, "WBTUI_PROFILE": "prod"})
        assert fish_offers(scripts["fish"], "wbtui upgrade completion-", env={**env, "WBTUI_PROFILE": "prod"}) == {
            tag}
    finally:
        docker_client.images.remove(f"{repository}:{tag}")


def test_the_annotated_arguments_still_exist() -> None:
    """A renamed KEY or TAG argument would silently lose its completion; here it fails."""
    from wbtui.cli import build_parser

    parser = build_parser()
    for path in SETTING_KEY_ARGUMENTS:
        assert positional(parser, path, "key").metavar == "KEY"
    for path in IMAGE_TAG_ARGUMENTS:
        assert positional(parser, path, "tag").metavar == "TAG"


@pytest.mark.skipif(not Path(BASH_COMPLETION).is_file(),
                    reason="bash-completion is not installed (scripts/test.sh installs it)")
def test_bash_completion_loads_the_script_from_where_the_readme_puts_it(scripts: dict[str, Path],
                                                                        tmp_path: Path) -> None:
    env = _env(tmp_path)
    env.pop("XDG_DATA_HOME", None)
    place = tmp_path / "home" / ".local" / "share" / "bash-completion" / "completions" / "wbtui"
    place.parent.mkdir(parents=True)
    shutil.copy(scripts["bash"], place)
    out = subprocess.run([BASH, "--norc", "--noprofile", "-c",
                          f"source {BASH_COMPLETION}; __load_completion wbtui; complete -p wbtui"],
                         capture_output=True, text=True, timeout=60, check=True, env=env)
    assert out.stdout.strip() == "complete -o bashdefault -F _shtab_wbtui wbtui"


@pytest.mark.skipif(shutil.which("fish") is None, reason="fish is not installed (scripts/test.sh installs it)")
def test_fish_completes_keys_commands_and_contexts(scripts: dict[str, Path], tmp_path: Path) -> None:
    env = _env(tmp_path, KUBECONFIG=_kubeconfigs(tmp_path))

    def offers(line: str) -> set[str]:
        return fish_offers(scripts["fish"], line, env=env)

    assert offers("wbtui config set runtime.i") == {"runtime.image"}
    assert offers("wbtui st") == {"start", "status", "stop", "storage"}
    assert {"--json", "--config"} <= offers("wbtui status --")
    assert {"staging", "prod-eu", "dev-1"} <= offers("wbtui status --context ")


@pytest.mark.skipif(shutil.which("zsh") is None, reason="zsh is not installed (scripts/test.sh installs it)")
def test_zsh_loads_the_script_and_registers_it(scripts: dict[str, Path], tmp_path: Path) -> None:
    load = (f'autoload -U compinit && compinit -u -d {tmp_path}/zcompdump && eval "$(<{scripts["zsh"]})" '
            "&& print -r -- $_comps[wbtui] && whence -w _wbtui_zsh_image_tags _wbtui_zsh_kube_contexts")
    out = subprocess.run(["zsh", "-f", "-c", load], capture_output=True, text=True, timeout=60, check=True,
                         env=_env(tmp_path))
    assert out.stderr == ""
    assert out.stdout.split("\n")[:3] == ["_shtab_wbtui", "_wbtui_zsh_image_tags: function",
                                          "_wbtui_zsh_kube_contexts: function"]
    assert f"({' '.join(spec.key for spec in FIELDS)})" in scripts["zsh"].read_text()  # config set's KEY

    zfunc = tmp_path / "zfunc"  # the README's way: a file _wbtui on $fpath, found by compinit
    zfunc.mkdir()
    shutil.copy(scripts["zsh"], zfunc / "_wbtui")
    found = subprocess.run(["zsh", "-f", "-c", f"fpath=({zfunc} $fpath); autoload -U compinit && "
                            f"compinit -u -d {tmp_path}/zcompdump2 && print -r -- $_comps[wbtui]"],
                           capture_output=True, text=True, timeout=60, check=True, env=_env(tmp_path))
    assert (found.stdout, found.stderr) == ("_wbtui\n", "")


def test_the_completion_command_imports_no_other_command() -> None:
    """`wbtui completion` builds the whole parser (it describes every command); every other command line still
    builds only its own module's parser, so completion costs them nothing."""
    from wbtui.cli import command_module

    assert command_module(["completion", "bash"]) == "completion_cmd"
    code = ("import sys\nfrom wbtui.cli import main\n"
            "try:\n    main(['status', '--help'])\nexcept SystemExit:\n    pass\n"
            "print('shtab' in sys.modules, 'wbtui.cli.completion_cmd' in sys.modules)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, cwd=REPO,
                         check=True)
    assert "--json" in out.stdout  # status's own help was printed
    assert out.stdout.splitlines()[-1] == "False False"
