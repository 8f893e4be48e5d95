"""Fixes name the dashboard key that does them, and keep the CLI command to copy."""

from __future__ import annotations

import pytest

from wbtui.checks.mysql_connect import db_init_fix
from wbtui.checks.s3 import CORS_FIX, CREATE_FIX
from wbtui.config.urls import MysqlURL
from wbtui.ui.fix_keys import keyed_fix

DB_INIT_FIX = db_init_fix(MysqlURL.parse("mysql://wandb:pw@db.example.com:3306/wandb"))


@pytest.mark.parametrize(("fix", "here", "shown"), [
    (CREATE_FIX, "datastores", "b creates the bucket · CLI: wbtui bucket create"),
    (CREATE_FIX, "overview", "3 then b creates the bucket · CLI: wbtui bucket create"),
    (CORS_FIX, "datastores", "o applies the CORS rules · CLI: wbtui bucket cors --apply"),
    (DB_INIT_FIX, "datastores", f"i creates the database and user · CLI: {DB_INIT_FIX}"),
    ("deploy it: wbtui up", "overview", "4 then d deploys the server · CLI: deploy it: wbtui up"),
    ("wbtui upgrade 0.60.0", "overview", "wbtui upgrade 0.60.0"),  # no key does exactly this
    ("wbtui config set BUCKET_QUEUE internal://", "datastores", "wbtui config set BUCKET_QUEUE internal://"),
    ("", "datastores", ""),
])
def test_a_fix_leads_with_the_key_and_keeps_the_command(fix: str, here: str, shown: str) -> None:
    assert keyed_fix(fix, here) == shown
