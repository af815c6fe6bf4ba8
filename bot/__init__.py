"""bot: the Slack adapter of isops (Bolt app, listeners, Block Kit, scheduler, CLI)."""
