"""Start-up with a broken, a FIFO and a 9 MB pack in the user pack folder: the home screen names them."""
from __future__ import annotations

import os
from pathlib import Path

from quizapp.app import QuizApp
from quizapp.catalog import load_catalog
from quizapp.options import Options
from quizapp.screens.home import HomeScreen
from quizapp.study.stats import stats_main

MINI = Path(__file__).parent / "fixtures" / "mini.yaml"


def hostile_user_folder(folder: Path) -> dict[str, str]:
    """Bad packs by file name, with the start of the error each must be named with."""
    folder.mkdir(parents=True)
    (folder / "maybe.yaml").write_text(MINI.read_text(encoding="utf-8").replace("correct: true", "correct: !!bool maybe", 1),
                                       encoding="utf-8")
    os.mkfifo(folder / "pipe.yaml")
    (folder / "huge.yaml").write_bytes(b"format: 1\nx-pad: '" + b"a" * (9 * 1024 * 1024) + b"'\n")
    dir_pack = folder / "folder-pack"
    dir_pack.mkdir()
    os.mkfifo(dir_pack / "pack.yaml")
    return {"maybe.yaml": "'correct': 'maybe' is not valid as true/false",
            "pipe.yaml": "not a regular file but a FIFO (named pipe)",
            "huge.yaml": "over the limit of 8,388,608 for one pack file",
            "pack.yaml": "not a regular file but a FIFO (named pipe)"}


async def test_the_home_screen_names_every_bad_pack_and_offers_the_good_ones(tmp_path):
    folder = tmp_path / "packs"
    expected = hostile_user_folder(folder)
    (folder / "mini.yaml").write_text(MINI.read_text(encoding="utf-8"), encoding="utf-8")
    catalog = load_catalog([], folder)
    assert "mini" in [p.id for p in catalog.packs]
    app = QuizApp(catalog, Options(user_packs=folder))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        shown = str(app.screen.query_one("#broken").render())
        for name, message in expected.items():
            assert name in shown and message in shown, (name, shown)


def test_stats_start_up_with_the_same_folder(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("QUIZAPP_HOME", str(tmp_path))
    hostile_user_folder(tmp_path / "packs")
    assert stats_main(["--json"]) == 0
    assert "Traceback" not in capsys.readouterr().err


def test_a_bundled_pack_named_with_pack_is_selected_not_loaded_twice(tmp_path):
    from question_bank.files import bundled_pack_paths

    bundled = [Path(str(p)) for p in bundled_pack_paths()]
    alone = load_catalog([], None)
    twice = load_catalog([bundled[0], bundled[0].parent / "." / bundled[0].name], None)
    assert twice.broken == () and [p.id for p in twice.packs] == [p.id for p in alone.packs]
    assert twice.requested == (alone.packs[0].id,)
