"""isops: the domain core of the IS Ops coach (no Slack imports here)."""
