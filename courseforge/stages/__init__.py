"""Pure stages: each takes a frozen model and returns the next one."""
