"""Remembered settings: round trip, damaged files kept aside, failed writes leave the old file intact."""
import json

import pytest

from quizapp import settings


def test_put_then_get_round_trips_and_keeps_other_keys(tmp_path):
    path = tmp_path / "sub" / "settings.json"
    settings.put("lang", "de", path)
    settings.put("learner", "k3v9q2", path)
    assert settings.get("lang", path=path) == "de"
    assert json.loads(path.read_text()) == {"lang": "de", "learner": "k3v9q2"}


def test_missing_file_reads_as_empty(tmp_path):
    assert settings.get("lang", "en", tmp_path / "none.json") == "en"


@pytest.mark.parametrize("content", [b"{not json", b"[1, 2]", b"\xff\xfe"])
def test_damaged_file_reads_as_empty_and_is_kept_aside(tmp_path, content):
    path = tmp_path / "settings.json"
    path.write_bytes(content)
    assert settings.load(path) == {}
    assert (tmp_path / "settings.json.damaged").read_bytes() == content


def test_failed_write_leaves_old_file_and_no_temporary(tmp_path, monkeypatch):
    path = tmp_path / "settings.json"
    settings.put("lang", "en", path)

    def full_disk(*args, **kwargs):
        raise OSError(28, "No space left on device")
    monkeypatch.setattr("quizapp.atomic.os.fsync", full_disk)
    with pytest.raises(settings.SettingsError, match="No space left"):
        settings.put("lang", "de", path)
    assert settings.get("lang", path=path) == "en"
    assert [p.name for p in tmp_path.iterdir()] == ["settings.json"]
