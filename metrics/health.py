"""Is the dashboard able to serve?  The warehouse readable, its schema version, the latest period.

    python -m metrics.health                 # prints JSON; exit 0 healthy, 1 not
    python -m metrics.health --serve 8590    # GET /healthz: 200 + JSON, or 503 + JSON saying what is wrong

The check opens the warehouse read-only the way the pages do (metrics.db), so it fails exactly when
the pages would show their "no warehouse" / "warehouse damaged" / "outdated" notice.  nginx passes
/healthz to it (deploy/nginx), a monitor calls it, deploy/healthcheck.sh runs it with each
dashboard process's own /_stcore/health.  It never prints a file's contents or DuckDB's text beyond
the kind of problem.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import duckdb

from core.config import SCHEMA_VERSION
from metrics import db
from metrics.scope import OPEN


def check(path: str | Path | None = None) -> dict:
    """{'ok', 'warehouse', 'problem', 'schema_version', 'schema_expected', 'latest_period', 'built_at',
    'age_hours'}; `problem` is None when healthy, else one of missing | unreadable | damaged | outdated."""
    p = db.db_path(path)
    out: dict = {
        "ok": False,
        "warehouse": str(p),
        "problem": None,
        "detail": None,
        "schema_version": None,
        "schema_expected": SCHEMA_VERSION,
        "latest_period": {},
        "built_at": None,
        "age_hours": None,
        "checked_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
    if not p.exists():
        out.update(
            problem="missing", detail="no warehouse file: load files (python -m etl load) or restore a backup"
        )
        return out
    if not os.access(p, os.R_OK, effective_ids=os.access in os.supports_effective_ids):
        out.update(
            problem="unreadable", detail="this user may not read the warehouse file: check its owner and mode"
        )
        return out
    out["age_hours"] = round((time.time() - p.stat().st_mtime) / 3600, 2)
    try:
        with db.connect(p) as con:
            info = dict(con.execute("select key, value from warehouse_info").fetchall())
            rows = con.execute(db.read_sql("data_as_of.sql"), None, OPEN).fetchall()
    except db.WarehouseOutdated as err:
        out.update(problem="outdated", schema_version=err.found, detail=err.message_en)
        return out
    except (db.WarehouseDamaged, duckdb.Error):
        out.update(
            problem="damaged", detail="the file is not a readable warehouse: python -m etl rebuild or restore"
        )
        return out
    out["schema_version"] = (
        int(info["schema_version"]) if str(info.get("schema_version", "")).isdigit() else None
    )
    out["built_at"] = info.get("built_at")
    out["latest_period"] = {src: (last.isoformat()[:7] if last is not None else None) for src, last in rows}
    out["ok"] = True
    return out


class _Handler(BaseHTTPRequestHandler):
    warehouse: str | None = None

    def do_GET(self) -> None:  # noqa: N802 (the standard library's name)
        if self.path.split("?", 1)[0] not in ("/healthz", "/"):
            self.send_error(404)
            return
        result = check(self.warehouse)
        body = json.dumps(result, ensure_ascii=False).encode("utf-8")
        self.send_response(200 if result["ok"] else 503)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Cache-Control", "no-store")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args) -> None:  # one line per failing check only
        if len(args) > 1 and str(args[1]) != "200":
            sys.stderr.write(f"health: {self.address_string()} {format % args}\n")


def serve(port: int, bind: str = "127.0.0.1", warehouse: str | None = None) -> ThreadingHTTPServer:
    """A started-but-not-running server (call `serve_forever`); port 0 picks a free port."""
    handler = type("Handler", (_Handler,), {"warehouse": warehouse})
    return ThreadingHTTPServer((bind, port), handler)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(
        prog="python -m metrics.health", description="Check the warehouse the dashboard serves."
    )
    p.add_argument("--db", default=None, help="warehouse (default: $CDS_WAREHOUSE or data/warehouse.duckdb)")
    p.add_argument("--serve", type=int, default=None, metavar="PORT", help="answer GET /healthz on this port")
    p.add_argument("--bind", default="127.0.0.1", help="address to serve on (default 127.0.0.1)")
    args = p.parse_args(argv)
    if args.serve is not None:
        server = serve(args.serve, args.bind, args.db)
        print(f"health: serving http://{args.bind}:{server.server_address[1]}/healthz", flush=True)
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            server.server_close()
        return 0
    result = check(args.db)
    print(json.dumps(result, ensure_ascii=False, indent=2))
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
