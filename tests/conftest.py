import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # as quizapp.cli does: tiny matrices, shared cores

import pytest


@pytest.fixture(scope="module")
def one_torch_thread():
    """torch on one thread for a module's tests (pytestmark = usefixtures): tiny tensors, where a second
    thread only adds waiting on a shared machine."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.fixture(autouse=True)
def private_home(tmp_path, monkeypatch):
    """Every test gets its own QUIZAPP_HOME: nothing reads or writes the real user folder."""
    home = tmp_path / "quizapp-home"
    monkeypatch.setenv("QUIZAPP_HOME", str(home))
    return home


@pytest.fixture(autouse=True)
def english_locale(monkeypatch):
    """Tests start in English whatever the machine's locale; a test that switches language is undone."""
    from quizapp import i18n

    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")
    i18n.set_language("en")
    yield
    i18n.set_language("en")
