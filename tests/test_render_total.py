"""Every renderer is total: any configuration (even invalid) renders without an exception."""

from __future__ import annotations

from hypothesis import given, settings

from tests.test_config_validate import ARBITRARY_CONFIGS, build
from wbtui.render import cors, mc, nginx, sql
from wbtui.runtime.docker import render as docker
from wbtui.runtime.docker import systemd_unit as systemd
from wbtui.runtime.kubernetes import render as kubernetes


@settings(max_examples=100, deadline=None)
@given(ARBITRARY_CONFIGS)
def test_renderers_never_raise(data: tuple[dict, dict]) -> None:
    config = build(*data)
    for reveal in (False, True):
        assert isinstance(docker.render_command(config, reveal), str)
        assert isinstance(docker.render_env_file(config, reveal), str)
        assert isinstance(kubernetes.render(config, reveal).text, str)
        assert isinstance(sql.render_sql(config, reveal), str)
        assert isinstance(mc.render_mc(config, reveal), str)
        assert isinstance(cors.render_commands(config, reveal), str)
    docker.render_env_file_command(config)
    nginx.render_nginx(config)
    systemd.render_unit(config)
    cors.render_json(config)
    cors.render_xml(config)
