"""Run folders: what a run leaves on disk and everything that reads it back.

`folder` owns a run folder (manifest.json written atomically, records.jsonl appended and
flushed one record at a time, resume), `records` the Record model, `export` the CSV, JSON and
XLSX exports. Nothing here runs a model.
"""
