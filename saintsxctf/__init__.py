"""The SaintsXCTF API project: its wiring (settings, the URL conf, the index views, WSGI/ASGI) around two wings.

- `foundation/`: the ground every app stands on (API machinery, auth, audited models, cache, clock, mail queue,
  replicas router, ...). It imports no app and nothing above it.
- `operations/`: above the apps, what runs the site: the admin site, demo data, the legacy importer, maintenance
  and the management commands.

Imports point down: operations -> apps -> foundation (saintsxctf/tests/test_import_graph.py).
"""
