"""store layer: one `Database` interface over two engines (an embedded DuckDB file, or PostgreSQL).

`open_store(location)` is the one place a location (a file path, or postgresql://user@host/dbname from
--db, ROLLOUT_DB or the ROLLOUT_DB secret) becomes a store; see db.py and server.py. engines.py, imported
here, is the factory above the engines (so any import of the store has them).
"""

from rollout.store.engines import Database, open_store

__all__ = ["Database", "open_store"]
