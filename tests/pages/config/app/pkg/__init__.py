"""A package delivered by the config's files."""

from .helpers import total

NAME = "pkg"
