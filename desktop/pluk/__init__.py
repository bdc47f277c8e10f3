"""Pluk: offline extraction of structured data from clinical reports with a local LLM."""

__version__ = "0.1.0"
