"""The ground wing: what every app uses and which knows no app (saintsxctf/tests/test_import_graph.py checks it).

An installed app with the label `saintsxctf`, so its tables and migrations kept their names when it moved here.
It reaches the user model through `get_user_model()` and the URL conf through Django's resolver, never by import.
"""
