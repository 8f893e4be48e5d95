"""Test configuration: the real test services are pytest plugins, one module each."""

pytest_plugins = [
    "tests.services.docker_fixtures",
    "tests.services.mysql_fixtures",
    "tests.services.mariadb_replica",
    "tests.services.s3_fixtures",
]
