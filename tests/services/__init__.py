"""Real servers for the tests: Docker engine, MariaDB, Ceph radosgw, the W&B stand-in."""
