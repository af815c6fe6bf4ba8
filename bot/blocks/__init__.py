"""Block Kit builders: pure functions from plain values to Slack JSON (no client, no DB)."""
