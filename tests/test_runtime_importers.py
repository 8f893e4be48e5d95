"""Importing from a file: the format is detected (env, docker inspect, manifest) and its importer used."""

from __future__ import annotations

import json

import pytest

from tests.config_samples import BUCKET_SECRET
from tests.test_config_importers import ENV_FILE
from tests.test_k8s_importer import GUIDE_DEPLOYMENT
from tests.test_runtime_docker_importer import inspect_output
from wbtui.config.importers import ImportFailure
from wbtui.runtime.importers import detect_format, import_text


def test_detect_format() -> None:
    assert detect_format(json.dumps(inspect_output())) == "docker"
    assert detect_format(GUIDE_DEPLOYMENT) == "kubernetes"
    assert detect_format(json.dumps({"kind": "Deployment"})) == "kubernetes"
    assert detect_format(ENV_FILE) == "env"
    with pytest.raises(ImportFailure, match="unknown format"):
        import_text("", "helm")
    assert import_text(json.dumps(inspect_output()), "docker").config.runtime.port == 8081
    assert BUCKET_SECRET not in detect_format(BUCKET_SECRET)
