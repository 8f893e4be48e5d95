"""The configuration model: one typed description of a W&B Server deployment.

Everything else (validation, storage, renderers, checks, runtime) reads this
model; nothing keeps its own copy of a setting.
"""

from __future__ import annotations

import contextlib
import dataclasses
import math
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

Backend = Literal["docker", "kubernetes"]


def _shown(self: Any) -> str:
    """``Name(field=value, ...)`` with secrets masked as everywhere they are shown: a repr reaches
    tracebacks, test failures and debuggers. (One function for every section: cheaper at import than one
    generated per class.)"""
    from .masking import mask_value

    parts = []
    for f in dataclasses.fields(self):
        value = getattr(self, f.name)
        if isinstance(self, ServerSettings) and value:
            value = mask_value(f.name, value)
        elif isinstance(self, Config) and f.name == "env":
            value = {k: mask_value(f"env.{k}", v) for k, v in value.items()}
        parts.append(f"{f.name}={value!r}")
    return f"{type(self).__name__}({', '.join(parts)})"


@dataclass(repr=False)
class ServerSettings:
    """The environment variables of the guide, as the container reads them."""

    __repr__ = _shown

    HOST: str = ""
    LICENSE: str = ""
    BUCKET: str = ""
    BUCKET_QUEUE: str = "internal://"
    AWS_REGION: str = "us-east-1"
    MYSQL: str = ""


@dataclass(repr=False)
class RuntimeSettings:
    """How the container runs: Docker flags and the pod's container spec."""

    __repr__ = _shown

    backend: Backend = "docker"
    image: str = "wandb/local"
    tag: str = "latest"
    container_name: str = "wandb-local"
    port: int = 8080
    bind_address: str = ""
    volume: str = "wandb-data"
    restart_policy: str = "unless-stopped"
    cpu_request: str = "2"
    memory_request: str = "4G"
    cpu_limit: str = "4"
    memory_limit: str = "8G"
    uid: int | None = None
    gid: int | None = None

    @property
    def image_ref(self) -> str:
        return f"{self.image}:{self.tag}" if self.tag else self.image


@dataclass(repr=False)
class KubernetesSettings:
    """Where and how the Deployment, Service and Ingress are created."""

    __repr__ = _shown

    context: str = ""
    namespace: str = "default"
    name: str = "wandb"
    replicas: int = 1
    service_type: str = "NodePort"
    ingress_class: str = "nginx"
    dns_name: str = ""
    tls_secret: str = ""
    body_size: str = "0"
    volume_claim: str = ""


@dataclass(repr=False)
class AppSettings:
    """wbtui's own behaviour."""

    __repr__ = _shown

    read_only: bool = False
    timeout: float = 5.0
    theme: str = "textual-dark"
    recheck_minutes: float = 5.0


@dataclass(repr=False)
class BackupSettings:
    """Where ``wbtui backup`` writes, how long backups stay and when they run on their own."""

    __repr__ = _shown

    directory: str = ""
    keep: str = "7d"
    to_bucket: bool = False
    prefix: str = "wbtui-backups/"
    schedule: str = ""
    image: str = "mysql:8.0"
    claim_size: str = "20Gi"


ACK_STATUSES = ("fail", "warn")
"""The statuses an acknowledgement can accept (a pass or a skip needs none)."""


@dataclass(frozen=True)
class Acknowledgement:
    """An operator's decision to accept one check's finding, with who, when and why.

    ``status`` and ``summary`` are what the check said when it was acknowledged: the
    acknowledgement covers the check only while it still says that (wbtui.checks.acknowledged).
    """

    check: str
    status: str
    summary: str
    why: str
    who: str
    when: datetime
    until: datetime | None = None

    def to_dict(self) -> dict[str, str]:
        """Plain data for TOML/JSON: times as UTC ISO-8601 text; no ``until`` when it never expires."""
        out = {"check": self.check, "status": self.status, "summary": self.summary, "why": self.why,
               "who": self.who, "when": _iso(self.when)}
        if self.until is not None:
            out["until"] = _iso(self.until)
        return out


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds")


SETTING_SECTIONS = ("server", "runtime", "kubernetes", "app", "backup")
"""The config file's tables of settings, in the order they are written."""


@dataclass(repr=False)
class Config:
    __repr__ = _shown

    server: ServerSettings = field(default_factory=ServerSettings)
    runtime: RuntimeSettings = field(default_factory=RuntimeSettings)
    kubernetes: KubernetesSettings = field(default_factory=KubernetesSettings)
    env: dict[str, str] = field(default_factory=dict)
    app: AppSettings = field(default_factory=AppSettings)
    backup: BackupSettings = field(default_factory=BackupSettings)
    acknowledged: list[Acknowledgement] = field(default_factory=list)
    keys: dict[str, str] = field(default_factory=dict)
    """The dashboard's remapped keys, binding id -> key names (``[keys]``; ``wbtui config keys`` lists the ids)."""

    def copy(self) -> Config:
        return dataclasses.replace(
            self,
            server=dataclasses.replace(self.server),
            runtime=dataclasses.replace(self.runtime),
            kubernetes=dataclasses.replace(self.kubernetes),
            env=dict(self.env),
            app=dataclasses.replace(self.app),
            backup=dataclasses.replace(self.backup),
            acknowledged=list(self.acknowledged),
            keys=dict(self.keys),
        )

    def to_dict(self) -> dict[str, Any]:
        """Plain data for TOML/JSON; ``None`` values are left out (TOML has no null)."""
        out: dict[str, Any] = {}
        for section in SETTING_SECTIONS:
            values = dataclasses.asdict(getattr(self, section))
            out[section] = {k: v for k, v in values.items() if v is not None}
        out["env"] = dict(self.env)
        if self.acknowledged:  # an array of tables, [[acknowledged]]; none at all when empty
            out["acknowledged"] = [ack.to_dict() for ack in self.acknowledged]
        if self.keys:  # a table only once a key is remapped
            out["keys"] = dict(self.keys)
        return out


@dataclass(frozen=True)
class FieldSpec:
    """One setting: where it lives, what it means and how it is shown."""

    key: str
    section: str
    attr: str
    kind: type
    doc: str
    secret: bool = False
    choices: tuple[str, ...] = ()
    optional: bool = False
    rule: str = ""
    max_length: int = 253
    """Text fields: the most characters a value may have (253, a DNS name's limit, unless said)."""

    @property
    def default(self) -> Any:
        return getattr(_DEFAULT_SECTIONS[self.section], self.attr)


_DEFAULT_SECTIONS = {
    "server": ServerSettings(),
    "runtime": RuntimeSettings(),
    "kubernetes": KubernetesSettings(),
    "app": AppSettings(),
    "backup": BackupSettings(),
}


MAX_INT = 2**31 - 1
"""The largest whole number a setting may be: Kubernetes' int32 (replicas, ports) and a safe UID/GID."""


def _f(key: str, doc: str, kind: type = str, **kw: Any) -> FieldSpec:
    """A FieldSpec whose rule also says the limits coerce enforces for every value of its kind."""
    section, _, attr = key.rpartition(".")
    spec = FieldSpec(key, section or "server", attr, kind, doc, **kw)
    if kind is str and not spec.choices:
        return dataclasses.replace(spec, rule=f"{spec.rule}; at most {spec.max_length} characters, "
                                   "no control characters")
    if kind is float:
        return dataclasses.replace(spec, rule=f"{spec.rule}; a finite number")
    return spec


FIELDS: tuple[FieldSpec, ...] = (
    _f("HOST", "Address users and training machines reach W&B at, with scheme "
       "(https://wandb.example.com). Must match what browsers use.",
       rule="required; http:// or https:// plus a host name, no path, query, credentials or spaces; "
       "http:// and loopback hosts warn", max_length=2048),
    _f("LICENSE", "W&B Server license (a signed JWS from W&B).", secret=True,
       rule="three base64url parts joined by '.'; expiry read from the unverified claims: "
       "expired is an error, under 30 days a warning; empty warns", max_length=65536),
    _f("BUCKET", "Object store: s3://ACCESS_KEY:SECRET_KEY@HOST[:PORT]/BUCKET[?tls=true]. "
       "Empty uses the container's embedded store under /vol.", secret=True,
       rule="s3:// URL with both keys, a host, port 1-65535, a bucket, tls=true|false; "
       "S3 bucket naming rules; a loopback host warns; empty warns (not for production)", max_length=4096),
    _f("BUCKET_QUEUE", "Object notifications; internal:// for every non-AWS store.",
       rule="internal://; sqs://... only when the bucket is on AWS", max_length=2048),
    _f("AWS_REGION", "Region the bucket lives in (the store's region / zonegroup).",
       rule="lower-case letters, digits, '-' and '_'; empty warns when BUCKET is set"),
    _f("MYSQL", "Database: mysql://USER:PASSWORD@HOST[:PORT]/DATABASE. "
       "Empty uses the container's embedded MySQL.", secret=True,
       rule="mysql:// URL with a user, a host, port 1-65535 and a database; an empty password "
       "or a loopback host warns; empty warns (not for production)", max_length=4096),
    _f("runtime.backend", "Where the server runs.", choices=("docker", "kubernetes"),
       rule="docker or kubernetes"),
    _f("runtime.image", "Container image repository.",
       rule="an image reference (registry/name, optional @sha256: digest)", max_length=255),
    _f("runtime.tag", "Image tag; pin a version in production.",
       rule="letters, digits, '_', '.', '-'; latest or empty warns; "
       "must be empty when the image has a digest", max_length=128),
    _f("runtime.container_name", "Docker container name.",
       rule="letters, digits, '_', '.', '-', starting with a letter or digit", max_length=128),
    _f("runtime.port", "Host port published for the container's 8080.", int, rule="1-65535"),
    _f("runtime.bind_address", "Host address the port is published on (empty: all).",
       rule="empty or an IPv4/IPv6 address"),
    _f("runtime.volume", "Docker volume or host path mounted at /vol.",
       rule="a volume name or an absolute path without ':'; empty warns (data lives "
       "in the container)", max_length=4096),
    _f("runtime.restart_policy", "Docker restart policy.",
       choices=("no", "on-failure", "always", "unless-stopped"),
       rule="no, on-failure, always or unless-stopped"),
    _f("runtime.cpu_request", "CPU request (Kubernetes; Docker uses the limit).",
       rule="CPU quantity (2, 1.5, 500m), at most cpu_limit"),
    _f("runtime.memory_request", "Memory request (Kubernetes).",
       rule="memory quantity (4G, 4Gi, 512M), at most memory_limit"),
    _f("runtime.cpu_limit", "CPU limit (cores).", rule="CPU quantity; below 4 warns (guide)"),
    _f("runtime.memory_limit", "Memory limit (e.g. 8G).",
       rule="memory quantity; below 8G warns (guide)"),
    _f("runtime.uid", "Run as this UID (default: the image's 999).", int, optional=True,
       rule="empty or a whole number >= 0; >= 100000 requires gid 0 (OpenShift)"),
    _f("runtime.gid", "Run as this GID; must be 0 when UID >= 100000.", int, optional=True,
       rule="empty or a whole number >= 0; without uid it is ignored (warning)"),
    _f("kubernetes.context", "kubeconfig context (empty: current context).", rule="any", max_length=1024),
    _f("kubernetes.namespace", "Namespace for every object.", rule="a DNS label"),
    _f("kubernetes.name", "Name of the Deployment (Service and Ingress derive from it).",
       rule="a DNS label"),
    _f("kubernetes.replicas", "Deployment replicas.", int,
       rule=">= 0; more than 1 with the embedded MySQL warns"),
    _f("kubernetes.service_type", "Service type.", choices=("NodePort", "ClusterIP", "LoadBalancer"),
       rule="NodePort, ClusterIP or LoadBalancer"),
    _f("kubernetes.ingress_class", "IngressClass name (empty: cluster default).",
       rule="empty or a DNS name"),
    _f("kubernetes.dns_name", "Ingress host name (defaults to HOST's host name).",
       rule="empty or a DNS name"),
    _f("kubernetes.tls_secret", "TLS secret for the Ingress (empty: no TLS at the Ingress).",
       rule="empty or a DNS name"),
    _f("kubernetes.body_size", "Ingress proxy body-size limit (0: unlimited).",
       rule="nginx size: 0, 100m, 1g"),
    _f("kubernetes.volume_claim", "PersistentVolumeClaim for /vol (empty: emptyDir).",
       rule="empty or a DNS name"),
    _f("app.read_only", "Refuse every action that changes something.", bool,
       rule="true or false"),
    _f("app.timeout", "Network timeout in seconds for checks and probes.", float,
       rule="0.1 to 300"),
    _f("app.theme", "Dashboard theme (ansi-dark for 16-colour terminals).", rule="a theme name"),
    _f("app.recheck_minutes", "How often the dashboard re-runs the quick datastore checks (0: never; the "
       "10 MiB upload runs only when asked).", float, rule="0 (never), or 1 to 1440 minutes"),
    _f("backup.directory", "Local directory of `wbtui backup` (empty: $XDG_DATA_HOME/wbtui/backups).",
       rule="empty or an absolute path (~/ allowed)", max_length=4096),
    _f("backup.keep", "Retention: backups older than this are removed from each destination, never the "
       "newest good one.", rule="hours, days or weeks: 36h, 7d, 2w; under 7 days warns (the guide keeps a week)"),
    _f("backup.to_bucket", "Also upload every backup to BUCKET.", bool, rule="true or false; true needs BUCKET"),
    _f("backup.prefix", "Key prefix of backups in the bucket.",
       rule="letters, digits and - _ . /, not starting with /", max_length=1024),
    _f("backup.schedule", "When backups run on their own (systemd timer, Kubernetes CronJob); empty: never.",
       rule="empty, daily, hourly, weekly, monthly, or an OnCalendar time cron can express: "
       "'*-*-* 03:00:00', 'Mon..Fri 02:30' (no seconds, years or time zones)"),
    _f("backup.image", "MySQL client image the Kubernetes CronJob runs mysqldump in.",
       rule="an image reference with a tag", max_length=255),
    _f("backup.claim_size", "Size of the Kubernetes volume claim the CronJob writes backups to.",
       rule="memory-style quantity: 20Gi, 500G"),
)

FIELDS_BY_KEY = {spec.key.lower(): spec for spec in FIELDS}

SECRET_ENV_HINTS = ("PASSWORD", "SECRET", "TOKEN", "LICENSE", "PRIVATE", "CREDENTIAL", "_KEY")


class FieldError(ValueError):
    """A key or value that cannot be stored at all (unknown key, not a number)."""

    def __init__(self, key: str, message: str, example: str = "") -> None:
        super().__init__(f"{key}: {message}")
        self.key = key
        self.message = message
        self.example = example


def spec_for(key: str) -> FieldSpec | None:
    return FIELDS_BY_KEY.get(key.lower())


def is_env_key(key: str) -> bool:
    return key.lower().startswith("env.")


def is_keys_key(key: str) -> bool:
    """``keys.logs.pause``: the key of the dashboard binding ``logs.pause``."""
    return key.lower().startswith("keys.")


def check_key_binding(key: str, raw: Any) -> str:
    """The keys for ``keys.BINDING_ID`` as Textual spells them, or FieldError (which ids exist, the dashboard says)."""
    from .keynames import BINDING_ID, key_problem, normalize

    binding_id = key[5:]
    if not BINDING_ID.fullmatch(binding_id):
        raise FieldError(key, f"{binding_id!r} is not a binding id (PANE.ACTION, e.g. logs.pause; "
                         "`wbtui config keys` lists them)", "keys.logs.pause")
    if not isinstance(raw, str):
        raise FieldError(key, f"must be text (a quoted string), not {_toml_kind(raw)}", f'"{binding_id}" = "space"')
    check_text(key, raw, 64)
    problem = key_problem(raw)
    if problem is not None:
        raise FieldError(key, problem, "space")
    return normalize(raw)


def env_is_secret(name: str) -> bool:
    upper = name.upper()
    return any(hint in upper for hint in SECRET_ENV_HINTS)


MAX_ENV_NAME = 255
MAX_ENV_VALUE = 32768
"""An extra variable's value: room for a certificate or a JSON setting, far below Linux's 128 KiB per string."""


def check_text(key: str, text: str, max_length: int) -> None:
    """Refuse what no setting can hold: bytes that are not UTF-8 (a surrogate-escaped argument or
    environment value, which the TOML file cannot store) and a value over ``max_length`` (a paste gone
    wrong; it would also make every listing crawl). The message never quotes the value: it may be a secret.
    """
    if len(text) > max_length:
        raise FieldError(key, f"the value is {len(text)} characters long, at most {max_length} are allowed; "
                         "shorten it (a paste gone wrong?)")
    bad = next((i for i, c in enumerate(text) if "\ud800" <= c <= "\udfff"), None)
    if bad is not None:
        raise FieldError(key, f"the value has a byte that is not UTF-8 (0x{ord(text[bad]) & 0xFF:02x} at "
                         f"position {bad}); give it as UTF-8 text (check the terminal's or file's encoding)")


def check_no_controls(key: str, text: str) -> None:
    """Refuse control characters (NUL, ESC, newline, tab, DEL, C1): no setting means one, and they break
    the container's environment, the rendered files or the terminal showing them."""
    bad = next((i for i, c in enumerate(text) if unicodedata.category(c) == "Cc"), None)
    if bad is not None:
        raise FieldError(key, f"the value has a control character (U+{ord(text[bad]):04X} at position {bad}); "
                         "give it on one line without control characters")


def coerce(spec: FieldSpec, raw: Any) -> Any:
    """Turn user text into the field's type, or raise FieldError."""
    if raw is None or (isinstance(raw, str) and raw.strip() == "" and spec.optional):
        if spec.optional:
            return None
        raise FieldError(spec.key, "a value is required")
    if isinstance(raw, str):
        check_text(spec.key, raw, spec.max_length if spec.kind is str else 64)
    if spec.kind is bool:
        if isinstance(raw, bool):
            return raw
        text = str(raw).strip().lower()
        if text in ("1", "true", "yes", "on"):
            return True
        if text in ("0", "false", "no", "off"):
            return False
        raise FieldError(spec.key, f"{raw!r} is not true/false", "true")
    if spec.kind is int:
        try:
            number = int(str(raw).strip())
        except ValueError:
            raise FieldError(spec.key, f"{raw!r} is not a whole number", _example(spec)) from None
        if abs(number) > MAX_INT:
            raise FieldError(spec.key, f"{number} is out of range (at most {MAX_INT})", _example(spec))
        return number
    if spec.kind is float:
        try:
            real = float(str(raw).strip())
        except ValueError:
            raise FieldError(spec.key, f"{raw!r} is not a number", _example(spec)) from None
        if not math.isfinite(real):
            raise FieldError(spec.key, f"{raw!r} is not a finite number", _example(spec))
        return real
    value = str(raw).strip()  # a pasted value's trailing newline is never part of a setting
    check_no_controls(spec.key, value)
    if spec.choices and value not in spec.choices:
        raise FieldError(spec.key, f"{value!r} is not one of {', '.join(spec.choices)}",
                         spec.choices[0])
    return value


def _example(spec: FieldSpec) -> str:
    """A number to suggest: the field's default (1000 for an unset UID/GID)."""
    return "1000" if spec.default is None else f"{spec.default:g}"


def get_value(config: Config, key: str) -> Any:
    if is_env_key(key):
        return config.env.get(key[4:])
    if is_keys_key(key):
        return config.keys.get(key[5:])
    spec = spec_for(key)
    if spec is None:
        raise FieldError(key, "unknown setting (see `wbtui config show` for the keys)")
    return getattr(getattr(config, spec.section), spec.attr)


def set_value(config: Config, key: str, raw: Any) -> None:
    """Store one setting, coerced to its type; validation is separate (findings)."""
    if is_env_key(key):
        name, value = key[4:], str(raw)
        check_text(key, name, MAX_ENV_NAME)  # the name's syntax and the value's characters: validate
        check_text(key, value, MAX_ENV_VALUE)
        config.env[name] = value
        return
    if is_keys_key(key):
        config.keys[key[5:]] = check_key_binding(key, raw)
        return
    spec = spec_for(key)
    if spec is None:
        raise FieldError(key, "unknown setting (see `wbtui config show` for the keys)")
    setattr(getattr(config, spec.section), spec.attr, coerce(spec, raw))


def unset_value(config: Config, key: str) -> None:
    """Return a setting to its default (or drop an extra env variable)."""
    if is_env_key(key):
        config.env.pop(key[4:], None)
        return
    if is_keys_key(key):
        config.keys.pop(key[5:], None)
        return
    spec = spec_for(key)
    if spec is None:
        raise FieldError(key, "unknown setting (see `wbtui config show` for the keys)")
    setattr(getattr(config, spec.section), spec.attr, spec.default)


def from_dict(data: dict[str, Any]) -> Config:
    """Build a Config from plain data (TOML/JSON), ignoring unknown keys with no error.

    Values of the wrong type raise FieldError naming the key.
    """
    config = Config()
    for section in (*SETTING_SECTIONS, "env", "keys"):
        if not isinstance(data.get(section) or {}, dict):
            raise FieldError(section, "must be a table of settings")
    for section in SETTING_SECTIONS:
        for attr, raw in (data.get(section) or {}).items():
            key = attr if section == "server" else f"{section}.{attr}"
            if spec_for(key) is not None:
                set_value(config, key, raw)
    for name, value in (data.get("env") or {}).items():
        if not isinstance(value, str):  # str() would store a table or a list as its Python repr
            raise FieldError(f"env.{name}", f"must be text (a quoted string), not {_toml_kind(value)}",
                             f'{name} = "..."')
        set_value(config, f"env.{name}", value)
    for binding_id, keys in (data.get("keys") or {}).items():
        if not isinstance(keys, str):  # the names themselves are validated, so one typo never hides the file
            raise FieldError(f"keys.{binding_id}", f"must be text (a quoted string), not {_toml_kind(keys)}",
                             f'"{binding_id}" = "space"')
        config.keys[binding_id] = keys
    config.acknowledged = acknowledgements_from(data.get("acknowledged") or [])
    return config


def _toml_kind(value: Any) -> str:
    kinds = ((bool, "a boolean"), (int, "a number"), (float, "a number"), (dict, "a table"), (list, "an array"),
             (datetime, "a date-time"))
    return next((name for kind, name in kinds if isinstance(value, kind)), type(value).__name__)


def acknowledgements_from(raw: Any) -> list[Acknowledgement]:
    """The ``[[acknowledged]]`` tables; a missing or malformed part raises FieldError naming it."""
    if not isinstance(raw, list) or not all(isinstance(item, dict) for item in raw):
        raise FieldError("acknowledged", "must be an array of tables ([[acknowledged]] with check, status, "
                         "summary, why, who, when)")
    acks: list[Acknowledgement] = []
    for index, item in enumerate(raw):
        where = f"acknowledged[{index}]"
        text: dict[str, str] = {}
        for name in ("check", "status", "summary", "why", "who"):
            value = item.get(name)
            if not isinstance(value, str) or (name != "summary" and not value.strip()):
                raise FieldError(f"{where}.{name}", "is required text; fix it by hand or remove this "
                                 "[[acknowledged]] table (wbtui unack CHECK_ID)")
            text[name] = value
        if text["status"] not in ACK_STATUSES:
            raise FieldError(f"{where}.status", f"{text['status']!r} is not one of {', '.join(ACK_STATUSES)}",
                             "fail")
        until = item.get("until")
        acks.append(Acknowledgement(
            text["check"], text["status"], text["summary"], text["why"], text["who"],
            _moment(item.get("when"), f"{where}.when"),
            None if until is None else _moment(until, f"{where}.until")))
    return acks


def _moment(raw: Any, key: str) -> datetime:
    """A TOML datetime or ISO-8601 text, as an aware UTC time (a time without offset is taken as UTC)."""
    if isinstance(raw, str):
        with contextlib.suppress(ValueError):  # not a time: the error below names the key
            raw = datetime.fromisoformat(raw.strip())
    if not isinstance(raw, datetime):
        raise FieldError(key, f"{raw!r} is not an ISO-8601 time", "2026-01-31T09:00:00+00:00")
    return (raw if raw.tzinfo else raw.replace(tzinfo=UTC)).astimezone(UTC)


def container_env(config: Config) -> dict[str, str]:
    """The environment the W&B container gets: the guide's variables, then extras.

    Empty BUCKET/MYSQL/LICENSE are left out, so the container uses its embedded stores.
    """
    s = config.server
    env = {
        "HOST": s.HOST,
        "LICENSE": s.LICENSE,
        "BUCKET": s.BUCKET,
        "BUCKET_QUEUE": s.BUCKET_QUEUE,
        "AWS_REGION": s.AWS_REGION,
        "MYSQL": s.MYSQL,
    }
    env = {k: v for k, v in env.items() if v}
    env.update(config.env)
    return env


SECRET_SERVER_KEYS = frozenset(spec.key for spec in FIELDS if spec.secret)
