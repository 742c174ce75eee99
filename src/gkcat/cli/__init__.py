"""The command line: thin click commands (`gkcat = gkcat.cli:main`)."""

from gkcat.cli.commands import main

__all__ = ["main"]
