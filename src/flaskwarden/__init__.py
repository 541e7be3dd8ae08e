"""flaskwarden: find, prove and prevent the ways Flask applications go wrong in production."""

__version__ = "0.1.0"
