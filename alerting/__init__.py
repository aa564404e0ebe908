"""Alerting: telling maintainers. Digests of new findings and failed checks, and failed runs,
sent by e-mail (text and HTML) and webhook, each told once per channel (`alerts.sqlite`
beside the warehouse). Dagster calls it from a failure hook and a run-failure sensor
(orchestration/defs/alerts.py); `govinfo run` after each run."""
