#!/bin/sh
# Is the dashboard serving?  Checks every dashboard process (Streamlit's own /_stcore/health on each
# port) and the warehouse (python -m metrics.health).  Exit 0 when all are well, 1 otherwise, with
# one line per problem; for a monitor or by hand:
#   sudo -u cds /opt/cds-dashboard/deploy/healthcheck.sh 8501 8502
# Settings: CDS_HOME (default /opt/cds-dashboard), CDS_ENV_FILE (default /etc/cds/dashboard.env).
set -u
CDS_HOME=${CDS_HOME:-/opt/cds-dashboard}
CDS_ENV_FILE=${CDS_ENV_FILE:-/etc/cds/dashboard.env}
if [ -r "$CDS_ENV_FILE" ]; then
    set -a
    # shellcheck disable=SC1090
    . "$CDS_ENV_FILE"
    set +a
fi
[ $# -gt 0 ] || set -- 8501
status=0
for port in "$@"; do
    if "$CDS_HOME/.venv/bin/python" - "$port" <<'PY'
import sys, urllib.request
try:
    with urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/_stcore/health", timeout=10) as r:
        sys.exit(0 if r.status == 200 else 1)
except OSError:
    sys.exit(1)
PY
    then
        echo "dashboard on port $port: ok"
    else
        echo "dashboard on port $port: NOT ANSWERING (systemctl status cds-dashboard@$port)"
        status=1
    fi
done
if out=$(cd "$CDS_HOME" && "$CDS_HOME/.venv/bin/python" -m metrics.health); then
    echo "warehouse: ok"
else
    echo "warehouse: PROBLEM"
    echo "$out"
    status=1
fi
exit $status
