"""harvester: a draft technical-implementation document from a git commit range."""

__version__ = "0.1.0"
