"""Mining: what the range changed, described in a reviewer's words."""
