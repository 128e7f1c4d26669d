"""Running the dashboard on a Debian server: systemd units, the nginx site, scheduled jobs
(docs/deploy.md)."""
