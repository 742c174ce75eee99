"""gkcat: government-disclosure standard catalogs (基层政务公开标准目录) kept in git."""

__version__ = "0.1.0"
