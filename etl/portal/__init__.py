"""Fetch the national portal's published service-index results (Decision 766), politely.

`python -m etl fetch-portal --province 25 --period 2026-08` asks the national public-service portal
(dichvucong.gov.vn, "Đánh giá chất lượng phục vụ") for one province's results, the way a browser on
the public page does, one request at a time, and loads the answers through the same importer as a
saved response (etl/sources/portal_json/), in one atomic load (etl.loader.load_files).

Modules:
- config.py    — settings (defaults, TOML file beside the warehouse, environment, --base-url);
- endpoints.py — the seven endpoints, their request bodies and the periods' parameters;
- provinces.py — the project's province code <-> the portal's `Hnn` code (provinces.csv);
- client.py    — the polite HTTP client: one request in flight, spacing with jitter, timeouts,
                 bounded retries, stop signals, a request budget;
- breaker.py   — the circuit breaker recorded beside the warehouse (only an operator closes it);
- validate.py  — envelope, shape, root unit, group and paging checks on every answer;
- plan.py      — what to fetch: open/closed periods, "only what is missing";
- record.py    — the run's record (requests, times, SHA-256, statuses, revisions), kept and loaded
                 like every file, into the etl_portal_* tables and fact_index_revision;
- run.py       — one run end to end;  cli.py — the `fetch-portal` subcommand.

docs/portal-fetch.md describes the behaviour and which parts of the portal's API are inferred.
"""
