"""Pseudonymisation of reports before anything leaves them: deduce (UMC Utrecht) finds the
identifiers, `pseudonymise` chooses consistent placeholders and keeps the offset map, `runs`
applies it to a run (reports in, records mapped back), `deduce_engine` loads deduce once from
a lookup cache an installed copy may hold read-only."""
