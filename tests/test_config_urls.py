"""BUCKET and MYSQL connection strings: round trips, and malformed input says which part is wrong."""

from __future__ import annotations

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from wbtui.config.urls import PLACEHOLDER_HOST, BucketURL, HostParts, MysqlURL, URLError, host_parts

# Any text except lone surrogates (which no URL or TOML file can carry).
TEXT = st.text(st.characters(blacklist_categories=("Cs",)))
NONEMPTY = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1)
HOSTS = st.one_of(
    st.from_regex(r"[a-z0-9]([a-z0-9-]{0,20}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?){0,3}",
                  fullmatch=True),
    st.sampled_from(["[::1]", "[2001:db8::5]", "10.0.0.5", "MinIO.Example.COM"]),
)
PORTS = st.one_of(st.none(), st.integers(1, 65535))
QUERY = st.lists(st.tuples(TEXT.filter(lambda k: k != "tls"), TEXT), max_size=3).map(tuple)


@given(user=NONEMPTY, password=TEXT, host=HOSTS, port=PORTS, database=NONEMPTY)
@example(user="wandb_local", password="p@ss:w/o?r#d% with spaces", host="db", port=None, database="wandb")
@example(user="ü s@r", password="пароль", host="[::1]", port=3306, database="db name/with slash")
def test_mysql_round_trip(user: str, password: str, host: str, port: int | None, database: str) -> None:
    url = MysqlURL(user, password, host, database, port)
    assert MysqlURL.parse(url.format()) == url


@given(key=NONEMPTY, secret=TEXT, host=HOSTS, port=PORTS, bucket=NONEMPTY, tls=st.booleans(), extra=QUERY)
@example(key="AKIA", secret="s3cr3t/+@:?#% ", host="minio", port=9000, bucket="wandb", tls=True, extra=())
def test_bucket_round_trip(key: str, secret: str, host: str, port: int | None, bucket: str, tls: bool,
                           extra: tuple[tuple[str, str], ...]) -> None:
    url = BucketURL(key, secret, host, bucket, port, tls, extra)
    assert BucketURL.parse(url.format()) == url


@given(st.one_of(TEXT, TEXT.map(lambda s: "s3://" + s), TEXT.map(lambda s: "mysql://" + s),
                 st.builds(lambda a, b: f"mysql://{a}@{b}", TEXT, TEXT),
                 st.builds(lambda a, b: f"s3://{a}@{b}", TEXT, TEXT)))
@example("s3://k:s@host:²/b")  # a unicode digit is not a port
@example("s3://k:s@host\n/b")
@example("mysql://u:p@[::1/db")
def test_malformed_input_only_raises_url_error(text: str) -> None:
    for parser in (BucketURL.parse, MysqlURL.parse):
        try:
            parser(text)
        except URLError as exc:
            assert exc.part and exc.message and exc.example


@pytest.mark.parametrize(("text", "part"), [
    ("mysql://u:p@", "host"),
    ("mysql://u:p@db", "database"),
    ("mysql://db.example.com/wandb", "credentials"),
    ("mysql://u@db/wandb", "credentials"),
    ("mysql://:p@db/wandb", "user"),
    ("mysql://u:p@db:99999/wandb", "port"),
    ("mysql://u:p@db:abc/wandb", "port"),
    ("mysql://u:p@db/wandb/extra", "database"),
    ("mysql://u:p@bad_host!/wandb", "host"),
    ("postgres://u:p@db/wandb", "scheme"),
    ("db.example.com", "scheme"),
])
def test_mysql_names_the_wrong_part(text: str, part: str) -> None:
    with pytest.raises(URLError) as info:
        MysqlURL.parse(text)
    assert info.value.part == part
    assert MysqlURL.parse(info.value.example).host == "db.example.com"  # the example itself parses


@pytest.mark.parametrize(("text", "part"), [
    ("s3://k:s@minio", "bucket"),
    ("s3://k:s@minio:0/b", "port"),
    ("s3://k:s@minio/b?tls=maybe", "tls"),
    ("s3://minio/b", "credentials"),
    ("minio://k:s@minio/b", "scheme"),
    ("s3://k:s@[::1/b", "host"),
])
def test_bucket_names_the_wrong_part(text: str, part: str) -> None:
    with pytest.raises(URLError) as info:
        BucketURL.parse(text)
    assert info.value.part == part
    assert BucketURL.parse(info.value.example).tls


def test_unencoded_at_and_slash_in_password_read_as_meant() -> None:
    """The last '@' ends the credentials, as users write passwords by hand."""
    url = MysqlURL.parse("mysql://wandb:p@ss/w0rd@db.example.com:3307/wandb_local")
    assert (url.user, url.password, url.host, url.port, url.database) == (
        "wandb", "p@ss/w0rd", "db.example.com", 3307, "wandb_local")


def test_bucket_endpoint_and_tls() -> None:
    url = BucketURL.parse("s3://AK:SK@minio.example.com:9000/wandb?tls=true&region=x")
    assert url.endpoint_url == "https://minio.example.com:9000"
    assert url.extra_query == (("region", "x"),)
    assert BucketURL.parse("s3://AK:SK@minio/wandb").endpoint_url == "http://minio"


def test_masked_hides_only_the_secret() -> None:
    assert BucketURL.parse("s3://AK:top%2Fsecret@minio:9000/wandb?tls=true").masked() == (
        "s3://AK:****@minio:9000/wandb?tls=true")
    assert MysqlURL.parse("mysql://wandb:hunter2@db/wandb_local").masked() == (
        "mysql://wandb:****@db/wandb_local")


def test_host_parts() -> None:
    assert host_parts(" https://wandb.example.com/ ") == HostParts("https", "wandb.example.com", None)
    v6 = host_parts("http://[2001:db8::5]:8080")
    assert (v6.netloc, v6.origin) == ("[2001:db8::5]:8080", "http://[2001:db8::5]:8080")
    for unusable in ("", "wandb.example.com", "ftp://x", "http://host:99999"):
        assert host_parts(unusable).hostname == PLACEHOLDER_HOST
