"""The only place that talks to git: batched, streamed calls turned into frozen records."""
