"""Deployment tests: the rendered nginx site, the systemd units, the proxy in front of two
dashboard processes."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
OPENSSL = shutil.which("openssl")


@pytest.fixture(scope="session")
def tls_cert(tmp_path_factory) -> tuple[Path, Path]:
    """A self-signed certificate for localhost, made by openssl in a temporary folder."""
    if OPENSSL is None:
        pytest.fail("openssl is missing: apt-get install openssl (make system-deps)")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            OPENSSL,
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            str(key),
            "-out",
            str(cert),
            "-days",
            "2",
            "-subj",
            "/CN=localhost",
            "-addext",
            "subjectAltName=DNS:localhost,IP:127.0.0.1",
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


def nginx_binary() -> str:
    if NGINX is None:
        pytest.fail("nginx is missing: apt-get install nginx-light (make system-deps)")
    return NGINX


@pytest.fixture(scope="session")
def app_warehouse(tmp_path_factory) -> Path:
    from tests.app.conftest import build_app_warehouse

    return build_app_warehouse(tmp_path_factory)
