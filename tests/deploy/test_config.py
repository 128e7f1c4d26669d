"""The proxy configuration passes nginx's own check, carries what the deployment needs (websockets,
sticky sessions, the upload limit, TLS), and the systemd units pass `systemd-analyze verify`."""

from __future__ import annotations

import re
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest

from deploy import render_nginx
from tests.deploy.conftest import nginx_binary

ROOT = Path(__file__).resolve().parents[2]
UNITS = ROOT / "deploy" / "systemd"


def _render(tls_cert, ports=(8501, 8502), **kw) -> str:
    cert, key = tls_cert
    return render_nginx.render(server_name="localhost", ports=list(ports), cert=str(cert), key=str(key), **kw)


def test_rendered_site_passes_nginx_t(tls_cert, tmp_path):
    conf = render_nginx.write_standalone(
        _render(tls_cert, http_listen="127.0.0.1:18080", https_listen="127.0.0.1:18443"), tmp_path / "ng"
    )
    done = subprocess.run(
        [nginx_binary(), "-t", "-c", str(conf), "-p", str(conf.parent)], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert "test is successful" in done.stderr


def test_nginx_t_fails_on_a_broken_site(tls_cert, tmp_path):
    """The check above can fail: a site without its certificate is refused."""
    text = _render(tls_cert).replace("ssl_certificate_key", "ssl_certificate_kee")
    conf = render_nginx.write_standalone(text, tmp_path / "ng")
    done = subprocess.run(
        [nginx_binary(), "-t", "-c", str(conf), "-p", str(conf.parent)], capture_output=True, text=True
    )
    assert done.returncode != 0


def test_site_has_websockets_sticky_sessions_tls_and_the_upload_limit(tls_cert):
    text = _render(tls_cert, ports=(8501, 8502, 8503))
    upstream = re.search(r"upstream cds_dashboard \{(.*?)\}", text, re.S).group(1)
    assert re.findall(r"server 127\.0\.0\.1:(\d+)", upstream) == ["8501", "8502", "8503"]
    assert "least_conn;" in upstream  # a new session goes to the process with the fewest open ones
    # ... counted across nginx's workers (Debian runs one a core; without a zone each counts its own)
    assert re.search(r"^\s*zone cds_dashboard \d+k;", upstream, re.M)
    # ... and stays there: its cookie names the process, whose own upstream has the others as backups
    for i, port in enumerate((8501, 8502, 8503)):
        cookie = re.search(rf'"~\^\\\|\(\.\*, \)\?127\\\.0\\\.0\\\.1:{port}\$" "([^"]*)";', text)
        assert cookie and cookie.group(1) == f"cds_route=p{i}; Path=/; Secure; HttpOnly; SameSite=Lax"
        assert f"    p{i} cds_p{i};" in text
        pinned = re.search(rf"upstream cds_p{i} \{{(.*?)\}}", text, re.S).group(1)
        servers = re.findall(r"server 127\.0\.0\.1:(\d+)( backup)?", pinned)
        assert servers[0] == (str(port), "") and sorted(p for p, b in servers[1:] if b) == sorted(
            str(p) for p in (8501, 8502, 8503) if p != port
        )
    stream = re.search(r"location /_stcore/stream \{(.*?)\}", text, re.S).group(1)
    assert "proxy_set_header Upgrade $http_upgrade;" in stream
    assert "proxy_http_version 1.1;" in stream
    assert re.search(r"listen \S+ ssl;", text)
    upload_mb = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())["server"]["maxUploadSize"]
    assert f"client_max_body_size {upload_mb}m;" in text
    assert render_nginx.max_upload_mb() == upload_mb


def test_streamlit_config_has_xsrf_on_and_no_cross_origin_access():
    """Streamlit's enableCORS is its CORS *protection*: true means no cross-origin access."""
    server = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())["server"]
    assert server["enableXsrfProtection"] is True
    assert server["enableCORS"] is True
    assert server["corsAllowedOrigins"] == []


@pytest.mark.parametrize(
    "kw, fragment",
    [
        ({"ports": []}, "--ports"),
        ({"ports": [8501, 8501]}, "twice"),
        ({"server_name": "a;b"}, "--server-name"),
        ({"cert": "relative.pem"}, "--cert"),
        ({"key": "/etc/x y.pem"}, "--key"),
        ({"health_allow": ["everyone"]}, "--health-allow"),
    ],
)
def test_render_refuses_values_nginx_cannot_take(kw, fragment):
    args = {"server_name": "localhost", "ports": [8501], "cert": "/c.pem", "key": "/k.pem", **kw}
    with pytest.raises(render_nginx.RenderError, match=re.escape(fragment)):
        render_nginx.render(**args)


def test_processes_default_to_one_per_core():
    assert render_nginx.recommended_processes(2) == 2
    assert render_nginx.recommended_processes(1) == 1
    assert render_nginx.recommended_processes(64) == 8


def test_dashboard_unit_reads_the_warehouse_only_and_keeps_secrets_outside_the_repository():
    unit = (UNITS / "cds-dashboard@.service").read_text()
    assert "User=cds" in unit
    assert "EnvironmentFile=/etc/cds/dashboard.env" in unit
    assert "Restart=always" in unit
    assert "ReadOnlyPaths=/var/lib/cds /etc/cds" in unit
    assert "ProtectSystem=strict" in unit
    writable = re.search(r"^ReadWritePaths=(.*)$", unit, re.M).group(1).split()
    assert "/var/lib/cds" not in writable
    assert "--server.address 127.0.0.1" in unit


def _unit_files() -> list[Path]:
    return sorted(p for p in UNITS.iterdir() if p.suffix in (".service", ".timer", ".target"))


def test_units_pass_systemd_analyze_verify(tmp_path):
    tool = shutil.which("systemd-analyze")
    if tool is None:
        pytest.skip(
            "systemd-analyze is not installed here (package systemd): the units' own check is skipped"
        )
    # The units name the install folder /opt/cds-dashboard: point it at this checkout so that verify
    # finds the interpreter it checks for.
    names = []
    for p in _unit_files():
        (tmp_path / p.name).write_text(p.read_text().replace("/opt/cds-dashboard", str(ROOT)))
        names.append(p.name.replace("@.service", "@8501.service"))
    dropin = tmp_path / "cds-dashboard@.service.d"
    dropin.mkdir()
    shutil.copy(UNITS / "cds-dashboard@.service.d" / "uploads.conf", dropin / "uploads.conf")
    done = subprocess.run([tool, "verify", "--man=no", *names], cwd=tmp_path, capture_output=True, text=True)
    problems = [
        line for line in (done.stdout + done.stderr).splitlines() if str(tmp_path) in line or "cds-" in line
    ]
    assert done.returncode == 0 and not problems, done.stdout + done.stderr


def test_every_timer_starts_a_unit_that_exists():
    for timer in UNITS.glob("*.timer"):
        unit = re.search(r"^Unit=(\S+)$", timer.read_text(), re.M).group(1)
        assert (UNITS / unit).exists(), f"{timer.name} starts {unit}, which is not in deploy/systemd"
