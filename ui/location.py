"""Where the app's store is: a file path or a server URL, from the environment or the secrets.

Its own module because both the state (which opens the store) and the router (which masks the server's
password in a crash log) need it, and the state imports the router.
"""

from __future__ import annotations

import os
from pathlib import Path

import streamlit as st

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DB = ROOT / "data" / "rollout.duckdb"


def database_path() -> str:
    """ROLLOUT_DB, else .streamlit/secrets.toml's ROLLOUT_DB, else data/rollout.duckdb: a file path, or a
    postgresql:// URL for a team's shared store (kept as text: a URL is not a path)."""
    if os.environ.get("ROLLOUT_DB"):
        return os.environ["ROLLOUT_DB"]
    try:
        if "ROLLOUT_DB" in st.secrets:
            return str(st.secrets["ROLLOUT_DB"])
    except Exception:  # no secrets file: Streamlit raises its own error type
        pass
    return str(DEFAULT_DB)
