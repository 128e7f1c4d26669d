"""Write the nginx site for the dashboard from deploy/nginx/cds-dashboard.conf.in.

    python -m deploy.render_nginx --server-name cds.phutho.gov.vn --processes 2 \
        --cert /etc/ssl/cds/fullchain.pem --key /etc/ssl/cds/privkey.pem \
        --out /etc/nginx/sites-available/cds-dashboard.conf

The upstream lists one Streamlit process per port (--ports 8501,8502 or --processes N from
--base-port); the request size limit is Streamlit's own upload limit (server.maxUploadSize in
.streamlit/config.toml), so nginx never refuses a file the upload page would accept, nor passes a
bigger one.  `--standalone DIR` also writes DIR/nginx.conf, a whole configuration with every path
under DIR, for `nginx -t -c DIR/nginx.conf` and the proxy tests.
"""

from __future__ import annotations

import argparse
import ipaddress
import os
import re
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "deploy" / "nginx" / "cds-dashboard.conf.in"
STANDALONE = ROOT / "deploy" / "nginx" / "standalone.conf.in"
STREAMLIT_CONFIG = ROOT / ".streamlit" / "config.toml"
STREAMLIT_DEFAULT_UPLOAD_MB = 200  # Streamlit's own default when config.toml does not set it
_NAME = re.compile(r"^[A-Za-z0-9._*-]+$")
_LISTEN = re.compile(r"^(\[[0-9a-fA-F:]+\]:|[0-9.]+:)?\d{1,5}$")
_SAFE_PATH = re.compile(r"^/[^\s;{}'\"$#]+$")


class RenderError(ValueError):
    """An option nginx cannot take: which option, what was given, what is expected."""


def max_upload_mb(config: Path = STREAMLIT_CONFIG) -> int:
    """Streamlit's server.maxUploadSize (MB) from its config file."""
    if not config.exists():
        return STREAMLIT_DEFAULT_UPLOAD_MB
    server = tomllib.loads(config.read_text(encoding="utf-8")).get("server", {})
    return int(server.get("maxUploadSize", STREAMLIT_DEFAULT_UPLOAD_MB))


def recommended_processes(cores: int | None = None) -> int:
    """One Streamlit process per core (a process runs Python on one core at a time), at most 8."""
    cores = cores or os.cpu_count() or 1
    return max(1, min(8, cores))


def _port(text: str) -> int:
    if not text.strip().isdigit() or not 1 <= int(text) <= 65535:
        raise RenderError(f"--ports: '{text}' is not a port number (1-65535)")
    return int(text)


def _path(option: str, value: str) -> str:
    if not _SAFE_PATH.match(value):
        raise RenderError(
            f"{option}: '{value}' must be an absolute path without spaces, quotes, ';', '{{', '}}'"
        )
    return value


def _listen(option: str, value: str) -> str:
    if not _LISTEN.match(value):
        raise RenderError(f"{option}: '{value}' must be PORT or ADDRESS:PORT")
    return value


def render(
    *,
    server_name: str,
    ports: list[int],
    cert: str,
    key: str,
    http_listen: str = "80",
    https_listen: str = "443",
    health: str = "127.0.0.1:8590",
    health_allow: list[str] | None = None,
    upstream_host: str = "127.0.0.1",
    max_body_mb: int | None = None,
) -> str:
    """The site's text; raises RenderError for a value nginx cannot take."""
    if not ports:
        raise RenderError("--ports: at least one dashboard port is needed")
    if len(set(ports)) != len(ports):
        raise RenderError(f"--ports: a port is listed twice ({ports})")
    names = server_name.split()
    if not names or not all(_NAME.match(n) for n in names):
        raise RenderError(f"--server-name: '{server_name}' must be host names separated by spaces")
    allow = health_allow if health_allow is not None else ["127.0.0.1", "::1"]
    for a in allow:
        try:
            ipaddress.ip_network(a, strict=False)
        except ValueError:
            raise RenderError(f"--health-allow: '{a}' is not an address or network") from None
    ipaddress.ip_address(upstream_host)
    if not _LISTEN.match(health) or ":" not in health:
        raise RenderError(f"--health: '{health}' must be ADDRESS:PORT")
    values = {
        "UPSTREAM_SERVERS": "\n".join(
            f"    server {upstream_host}:{p} max_fails=1 fail_timeout=10s;" for p in ports
        ),
        "ROUTE_NAMES": "\n".join(f"    p{i} p{i};" for i in range(len(ports))),
        "ROUTE_BACKENDS": "\n".join(f"    p{i} cds_p{i};" for i in range(len(ports))),
        "ROUTE_COOKIES": "\n".join(
            f'    "~^\\|(.*, )?{re.escape(f"{upstream_host}:{p}")}$" '
            f'"cds_route=p{i}; Path=/; Secure; HttpOnly; SameSite=Lax";'
            for i, p in enumerate(ports)
        ),
        "PINNED_UPSTREAMS": "\n".join(_pinned(i, ports, upstream_host) for i in range(len(ports))),
        "SERVER_NAME": " ".join(names),
        "HTTP_LISTEN": _listen("--http-listen", http_listen),
        "HTTPS_LISTEN": _listen("--https-listen", https_listen),
        "SSL_CERTIFICATE": _path("--cert", cert),
        "SSL_CERTIFICATE_KEY": _path("--key", key),
        "MAX_BODY_MB": str(max_body_mb if max_body_mb is not None else max_upload_mb()),
        "HEALTH_UPSTREAM": health,
        "HEALTH_ALLOW": "\n".join(f"        allow {a};" for a in allow),
    }
    text = TEMPLATE.read_text(encoding="utf-8")
    for name, value in values.items():
        text = text.replace(f"@{name}@", value)
    left = re.findall(r"@[A-Z_]+@", text)
    if left:
        raise RuntimeError(f"{TEMPLATE}: fields not filled: {sorted(set(left))}")
    return text


def _pinned(i: int, ports: list[int], host: str) -> str:
    """Process i's own upstream: its server first, every other one as a backup when it is down."""
    servers = [f"    server {host}:{ports[i]} max_fails=1 fail_timeout=10s;"]
    servers += [f"    server {host}:{p} backup;" for j, p in enumerate(ports) if j != i]
    return f"upstream cds_p{i} {{\n" + "\n".join(servers) + "\n    keepalive 8;\n}"


def write_standalone(site_text: str, prefix: Path) -> Path:
    """prefix/site.conf and prefix/nginx.conf (a whole configuration including it); returns nginx.conf."""
    prefix = prefix.resolve()
    prefix.mkdir(parents=True, exist_ok=True)
    site = prefix / "site.conf"
    site.write_text(site_text, encoding="utf-8")
    for sub in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (prefix / sub).mkdir(exist_ok=True)
    conf = prefix / "nginx.conf"
    text = (
        STANDALONE.read_text(encoding="utf-8").replace("@PREFIX@", str(prefix)).replace("@SITE@", str(site))
    )
    conf.write_text(text, encoding="utf-8")
    return conf


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m deploy.render_nginx", description=__doc__.split("\n\n")[0])
    p.add_argument("--server-name", required=True, help="the site's host name(s), e.g. cds.phutho.gov.vn")
    p.add_argument("--ports", default=None, help="dashboard ports, comma-separated (e.g. 8501,8502)")
    p.add_argument(
        "--processes",
        type=int,
        default=None,
        help=f"number of dashboard processes from --base-port (default: one per core = {recommended_processes()})",
    )
    p.add_argument("--base-port", type=int, default=8501)
    p.add_argument("--cert", required=True, help="TLS certificate chain (PEM)")
    p.add_argument("--key", required=True, help="TLS private key (PEM)")
    p.add_argument("--http-listen", default="80")
    p.add_argument("--https-listen", default="443")
    p.add_argument("--health", default="127.0.0.1:8590", help="address of `python -m metrics.health --serve`")
    p.add_argument(
        "--health-allow",
        action="append",
        default=None,
        help="address or network allowed to call /healthz (repeat; default 127.0.0.1 and ::1)",
    )
    p.add_argument("--out", type=Path, default=None, help="file to write (default: standard output)")
    p.add_argument(
        "--standalone", type=Path, default=None, help="also write a whole nginx.conf in this folder"
    )
    return p


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.ports:
            ports = [_port(p) for p in args.ports.split(",") if p.strip()]
        else:
            n = args.processes or recommended_processes()
            ports = list(range(args.base_port, args.base_port + n))
        text = render(
            server_name=args.server_name,
            ports=ports,
            cert=args.cert,
            key=args.key,
            http_listen=args.http_listen,
            https_listen=args.https_listen,
            health=args.health,
            health_allow=args.health_allow,
        )
    except RenderError as err:
        print(f"render_nginx: {err}", file=sys.stderr)
        return 2
    if args.standalone:
        print(write_standalone(text, args.standalone))
    elif args.out:
        args.out.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
