"""The factory above the engines: which class opens a location, and the handle a caller reads through.

`Database` (db.py) is the interface every engine subclasses: the embedded file (db.FileDatabase), the
server (server.ServerDatabase) and a caller's scoped view of either (scope.ScopedDatabase). db.py cannot
import the other two (they import it), so this module, above all three, imports them and gives `Database`
its two factories: `Database(location)` then opens the engine the location asks for, and `db.scoped(caller)`
returns the caller's handle. The package (`rollout/store/__init__.py`) imports this module, so every
`import rollout.store.…` has them; the imports are plain, so the layout test sees every engine. The server
engine is imported when a location asks for it: psycopg takes about 0.2 s to load, a tenth of a CLI
`summary` at 10,000 branches, and a DuckDB file never needs it.
"""

from __future__ import annotations

from pathlib import Path

from rollout.store.db import Database, FileDatabase, open_store
from rollout.store.locations import is_server_location
from rollout.store.scope import scoped

__all__ = ["Database", "engine_for", "open_store"]


def engine_for(location: str | Path) -> type[Database]:
    """The engine a location asks for: a postgresql:// URL the server, anything else a DuckDB file."""
    if is_server_location(location):
        from rollout.store.server import ServerDatabase

        return ServerDatabase
    return FileDatabase


Database.engine_for = staticmethod(engine_for)
Database.scope_for = staticmethod(scoped)
