"""Tests of pluk.core.dragon and `pluk dragon`."""
