import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # as quizapp.cli does: tiny matrices, shared cores

import pytest


@pytest.fixture(autouse=True)
def private_home(tmp_path, monkeypatch):
    """Every test gets its own QUIZAPP_HOME: nothing reads or writes the real user folder."""
    home = tmp_path / "quizapp-home"
    monkeypatch.setenv("QUIZAPP_HOME", str(home))
    return home
