"""The console: a terminal chat with the core, no account needed."""
