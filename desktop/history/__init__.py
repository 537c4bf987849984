"""The history of saved observations: one SQLite file that survives kills, damage and read-only folders.

The core of the laptop (no Qt, no sync): ``store`` is its door (``ObservationStore``); ``observation`` and
``codec`` say what a saved observation is and how a row holds it (named by the contract's fields);
``schema`` and ``migrations`` build the file, with the steps other packages register for their own tables
(the sync's outbox: ``desktop/sync/schema.py``); ``opening`` opens it (checked, migrated, salvaged);
``files``, ``connection`` and ``integrity`` look after the file on disk; ``bulk`` makes large saves fast;
``queries`` pages and searches; ``merging`` imports; ``salvage``, ``sqlite_pages``, ``sqlite_image``
and ``refill`` rebuild a damaged file (SQLite decoding its sound pages); ``save_probe`` proves a save
would work; ``ids`` makes time-ordered observation ids.
Nothing here imports the sync, the command line or Qt.
"""
