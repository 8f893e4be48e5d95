"""The guide's MinIO client commands: register the store, then create the bucket."""

from __future__ import annotations

import shlex

from ..config.masking import MASK
from ..config.model import Config
from .common import bucket_or_note


def render_mc(config: Config, reveal: bool = False, alias: str = "local", legacy: bool = False) -> str:
    """``mc alias set`` (or the legacy ``mc config host add``) and ``mc mb --region``.

    The secret key is masked unless ``reveal``; without the keys on the command line,
    ``mc alias set ALIAS URL`` prompts for them (nothing lands in shell history).
    """
    url = bucket_or_note(config)
    if isinstance(url, str):
        return url
    secret = url.secret_key if reveal else MASK
    if legacy:
        register = ["mc", "config", "host", "add", alias, url.endpoint_url, url.access_key, secret,
                    "--api", "s3v4"]
    else:
        register = ["mc", "alias", "set", alias, url.endpoint_url, url.access_key, secret, "--api", "s3v4"]
    region = config.server.AWS_REGION or "us-east-1"
    make = ["mc", "mb", f"--region={region}", f"{alias}/{url.bucket}"]
    lines = ["# MinIO client: register the object store, then create W&B's bucket."]
    if not reveal:
        lines.append(f"# The secret key is masked (****): render with --reveal, or run `mc alias set "
                     f"{alias} {url.endpoint_url}` and type the keys when asked.")
    lines += [shlex.join(register), shlex.join(make)]
    return "\n".join(lines) + "\n"
