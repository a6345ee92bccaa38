"""Local mode (no [auth]) is one person on this computer (ACCESS.md): a bare `streamlit run app.py`, as the
README's first command starts it, listens on the loopback interface only (.streamlit/config.toml)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from browser import free_port, network_address, stop, wait_healthy
from support import ROOT


@pytest.mark.slow
def test_a_bare_streamlit_run_listens_on_this_computer_only(sample_db_path: Path, tmp_path: Path) -> None:
    address = network_address()
    if address is None:
        pytest.skip("this computer has no network address besides loopback")
    port = free_port()
    env = {**os.environ, "ROLLOUT_DB": str(sample_db_path), "ROLLOUT_LOG_DIR": str(tmp_path / "logs"),
           "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false"}
    with open(tmp_path / "streamlit.log", "w+", encoding="utf-8") as log:
        proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
                                 "--server.fileWatcherType", "none"], cwd=ROOT, env=env, stdout=log,
                                stderr=subprocess.STDOUT)
        try:
            wait_healthy(f"http://127.0.0.1:{port}", proc)  # this computer reaches it
            with pytest.raises(OSError):  # another computer does not: nothing listens on the network address
                socket.create_connection((address, port), timeout=3).close()
        finally:
            stop(proc)
