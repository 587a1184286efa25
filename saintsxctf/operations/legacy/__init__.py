"""The legacy SaintsXCTF MySQL importer (plain Python; `manage.py import_legacy` is its entry point)."""
