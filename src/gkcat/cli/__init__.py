"""The command line: thin click commands (`gkcat = gkcat.cli:run`, which runs `main`)."""

from gkcat.cli.commands import main, run

__all__ = ["main", "run"]
