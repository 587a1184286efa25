"""The operations wing, above the apps: the admin site and the coach admin's building blocks, demo data, the legacy
importer, maintenance, and the project's management commands (`manage.py seed_demo`, `import_legacy`,
`send_queued_mail`, `purge_deleted`, `expire_codes`). It may import any app; the apps' own code never imports it
(their `admin.py` pages and tests excepted)."""
