"""Sending the monthly pack and the alerts by e-mail, within each account's scope.

    python -m notify run --period 2026-10 [--dry-run OUTDIR] [--only USER]

For each subscriber of the users file (accounts: e-mail, language, subscriptions `pack`, `alerts`):
a commune account gets its commune's report (DOCX and PDF) and its own alerts; a province or steward
account the province briefing and its communes' alerts; a national account the 34-province summary.
The alerts are metrics.attention.communes_needing_attention (the same list the province overview
shows), by the rules of metrics/alert_rules.py.  A sent record (JSONL, beside the users file, never in
the warehouse) makes a re-run send nothing new and a run after a correction send only what changed,
marked as a correction.  See docs/notify.md.

Layers: notify imports reports, metrics, core and accounts; nothing of the project imports notify.
"""
