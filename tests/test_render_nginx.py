"""nginx reverse-proxy config: the guide's template filled in, accepted by `nginx -t`."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.config_samples import assert_no_canary, canary_config
from wbtui.config.model import Config, set_value
from wbtui.render import nginx


def self_signed(tmp_path: Path) -> tuple[Path, Path]:
    """A throwaway certificate and key for nginx -t (openssl, else the cryptography package)."""
    cert, key = tmp_path / "tls.crt", tmp_path / "tls.key"
    if shutil.which("openssl"):
        subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                        "-nodes", "-days", "1",
                        "-subj", "/CN=wandb.example.com", "-keyout", str(key), "-out", str(cert)],
                       check=True, capture_output=True, timeout=60)
        return cert, key
    import datetime

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    private = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "wandb.example.com")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
                   .public_key(private.public_key()).serial_number(x509.random_serial_number())
                   .not_valid_before(now).not_valid_after(now + datetime.timedelta(days=1))
                   .sign(private, hashes.SHA256()))
    cert.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key.write_bytes(private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                          serialization.NoEncryption()))
    return cert, key


@pytest.fixture(scope="module")
def tls_files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return self_signed(tmp_path_factory.mktemp("tls"))


def nginx_test(conf: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    """`nginx -t` on a self-contained config: prefix, pid and error log inside tmp_path."""
    binary = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(binary).exists():
        pytest.fail("nginx is not installed; run scripts/test.sh (installs nginx-light)")
    path = tmp_path / "nginx.conf"
    path.write_text(conf)
    return subprocess.run([binary, "-t", "-q", "-p", str(tmp_path), "-c", str(path),
                           "-g", f"error_log stderr; pid {tmp_path / 'nginx.pid'};"],
                          capture_output=True, text=True, timeout=30)


@pytest.mark.tools
@pytest.mark.parametrize("host", ["https://wandb.example.com", "https://wandb.example.com:8443",
                                  "http://wandb.example.com", "http://wandb.example.com:8080", ""])
def test_nginx_accepts_the_config(host: str, tmp_path: Path, tls_files: tuple[Path, Path]) -> None:
    cert, key = tls_files
    config = canary_config()
    set_value(config, "HOST", host)
    result = nginx_test(nginx.render_nginx(config, cert=str(cert), key=str(key)), tmp_path)
    assert result.returncode == 0, result.stderr


@pytest.mark.tools
def test_nginx_rejects_a_broken_config(tmp_path: Path, tls_files: tuple[Path, Path]) -> None:
    cert, key = tls_files
    broken = nginx.render_nginx(canary_config(), cert=str(cert), key=str(key)).replace("proxy_pass ", "proxy_pas ")
    assert nginx_test(broken, tmp_path).returncode != 0


def test_filled_in_from_host_and_runtime() -> None:
    config = canary_config()
    set_value(config, "runtime.port", "9000")
    text = nginx.render_nginx(config)
    assert text.startswith("# Reverse proxy") and "events {}\nhttp {" in text
    assert "server_name         wandb.example.com;" in text
    assert "listen 443 ssl;" in text
    assert "ssl_certificate     /etc/nginx/tls/wandb.example.com.crt;" in text
    assert "ssl_certificate_key /etc/nginx/tls/wandb.example.com.key;" in text
    assert "client_max_body_size 0;" in text
    assert "proxy_pass  http://127.0.0.1:9000;" in text
    assert "return 301 https://$host$request_uri;" in text
    assert "map $http_upgrade $proxy_connection" in text
    assert_no_canary(text)


def test_upstream_cert_paths_and_http_host() -> None:
    config = Config()
    set_value(config, "HOST", "http://wandb.internal:8080")
    text = nginx.render_nginx(config, upstream="10.0.0.7:8080", cert="/x/c.crt")
    assert "proxy_pass  http://10.0.0.7:8080;" in text
    assert "listen 8080;" in text and "ssl" not in text and "return 301" not in text
    text = nginx.render_nginx(canary_config(), cert="/etc/ssl/my cert.pem")
    assert 'ssl_certificate     "/etc/ssl/my cert.pem";' in text


def test_quote() -> None:
    assert nginx.quote("/etc/a.crt") == "/etc/a.crt"
    assert nginx.quote('a "b" $c\\') == '"a \\"b\\" \\$c\\\\"'
