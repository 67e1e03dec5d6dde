"""digest: a static site generator for news curators."""

__version__ = "0.1.0"
