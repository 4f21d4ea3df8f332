"""The web side of the import pipeline: upload, preview, mapping, validation, commit, history, rollback.

Every step calls the same core as the CLI (`observatorio.records.pipeline`);
this package only adds the pages, the per-source permission check, the
upload's temporary storage and the background job that runs an import.
"""
