"""Observatorio: the platform a municipal human-security observatory runs on."""

__version__ = "0.1.0"
