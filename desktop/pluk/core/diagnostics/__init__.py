"""Diagnostics: the self-test that proves an installation works end to end, offline."""
