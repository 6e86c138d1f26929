"""Import and export outputs are written whole or not at all; every command exits 0, 1 or 2 with one line.

A full disk and an unwritable folder are simulated at the system calls the
atomic writer makes (quizapp.files), since a test cannot fill a real disk.
"""
from __future__ import annotations

import errno
import io
import os
import re
from pathlib import Path

import pytest

from quizapp import cli, files
from quizapp.instructor_cli import export_main, import_main

GIFT = Path(__file__).parent / "data" / "interchange" / "llm-week3.gift"
OLD = "old content, still here\n"


def run(main, argv):
    out, err = io.StringIO(), io.StringIO()
    return main(argv, out, err), out.getvalue(), err.getvalue()


def one_line(err: str, prefix: str) -> str:
    lines = [line for line in err.splitlines() if line.startswith(prefix)]
    assert len(lines) == 1, err
    return lines[0]


@pytest.mark.parametrize("main, argv", [
    (import_main, ["gift", str(GIFT), "-o"]), (export_main, ["gift", "format-tour", "-o"])])
def test_an_output_that_is_a_folder_or_in_a_missing_folder_is_a_usage_error(tmp_path, main, argv):
    status, _, err = run(main, argv + [str(tmp_path)])
    assert status == 2 and f"{tmp_path} is a folder; name a file" in err
    status, _, err = run(main, argv + [str(tmp_path / "missing" / "out.yaml")])
    assert status == 2 and f"the folder {tmp_path / 'missing'} does not exist" in err


@pytest.mark.parametrize("main, argv", [
    (import_main, ["gift", str(GIFT), "-o"]), (export_main, ["anki", "format-tour", "-o"])])
def test_a_full_disk_leaves_the_old_file_intact_and_no_temporary_behind(tmp_path, monkeypatch, main, argv):
    target = tmp_path / "out.yaml"
    target.write_text(OLD)

    def full(fd):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
    monkeypatch.setattr(files.os, "fsync", full)
    status, _, err = run(main, argv + [str(target)])
    assert status == 1
    assert one_line(err, "quizapp").endswith(f"cannot write {target}: the disk is full; nothing written")
    assert target.read_text() == OLD and [p.name for p in tmp_path.iterdir()] == ["out.yaml"]


def test_an_unwritable_folder_is_one_line_and_the_old_file_stays(tmp_path, monkeypatch):
    target = tmp_path / "out.yaml"
    target.write_text(OLD)

    def denied(*args, **kwargs):
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES))
    monkeypatch.setattr(files.tempfile, "mkstemp", denied)
    status, _, err = run(import_main, ["gift", str(GIFT), "-o", str(target)])
    assert status == 1 and "cannot write" in one_line(err, "quizapp import") and "permission denied" in err
    assert target.read_text() == OLD


def test_an_import_replaces_the_old_pack_whole_and_keeps_its_permissions(tmp_path):
    target = tmp_path / "out.yaml"
    target.write_text(OLD)
    target.chmod(0o640)
    status, out, _ = run(import_main, ["gift", str(GIFT), "-o", str(target)])
    assert status == 0 and f"wrote {target}" in out
    assert target.read_text(encoding="utf-8").startswith("# Imported from llm-week3.gift")
    assert target.stat().st_mode & 0o777 == 0o640
    assert [p.name for p in tmp_path.iterdir()] == ["out.yaml"]


def test_a_pack_the_loader_refuses_replaces_nothing(tmp_path, monkeypatch):
    from question_bank.interchange import common
    target = tmp_path / "out.yaml"
    target.write_text(OLD)
    monkeypatch.setattr(common, "pack_yaml", lambda pack, comment="": "format: 2\n")
    status, _, err = run(import_main, ["gift", str(GIFT), "-o", str(target)])
    assert status == 1 and "nothing written" in err
    assert target.read_text() == OLD and [p.name for p in tmp_path.iterdir()] == ["out.yaml"]


def test_an_export_through_a_symlink_writes_the_file_it_points_to(tmp_path):
    real = tmp_path / "real.txt"
    real.write_text(OLD)
    link = tmp_path / "link.txt"
    link.symlink_to(real)
    status, _, _ = run(export_main, ["aiken", "format-tour", "-o", str(link)])
    assert status == 0 and link.is_symlink() and real.read_text(encoding="utf-8").startswith("What does a softmax")


def test_an_internal_error_prints_one_line_and_where_the_report_is(monkeypatch, capsys, private_home):
    def broken(argv):
        raise ValueError("a bug of ours")
    monkeypatch.setitem(cli.COMMANDS, "schema", broken)
    assert cli.main(["schema"]) == 1
    err = capsys.readouterr().err
    match = re.fullmatch(r"quizapp: internal error \(ValueError: a bug of ours\); the full report is in (\S+)\. "
                         r"Please send it with a bug report\.\n", err)
    assert match, err
    report = Path(match.group(1))
    assert report.parent == private_home / "crash-reports"
    text = report.read_text(encoding="utf-8")
    assert "command: quizapp schema" in text and "Traceback" in text and "a bug of ours" in text


@pytest.mark.parametrize("argv", [
    ["validate"], ["validate", "/nonexistent"], ["validate", "/dev/null"], ["schema", "--bogus"],
    ["stats", "--bogus"], ["import"], ["import", "gift", "/nonexistent"], ["import", "gift", "/dev/null"],
    ["export", "gift", "no-such-pack"], ["export", "csv", "format-tour"], ["engine", "softmax"],
    ["engine", "softmax", "--scores", "x"], ["engine", "nope"], ["--count", "0"], ["--pack", "/nonexistent"],
    ["--topic", "nope", "--pack", "/dev/null"],
])
def test_every_command_exits_0_1_or_2_without_a_traceback(argv, capsys):
    assert cli.main(argv) in (0, 1, 2)
    captured = capsys.readouterr()
    assert "Traceback" not in captured.out + captured.err and "internal error" not in captured.err


async def test_a_bug_inside_the_running_app_is_one_line_and_a_report_not_a_traceback(monkeypatch, capsys,
                                                                                     private_home):
    from quizapp.app import QuizApp
    from quizapp.catalog import load_catalog
    from quizapp.options import Options
    from quizapp.screens.home import HomeScreen

    def broken(self):
        raise ValueError("a bug of ours")
    monkeypatch.setattr(HomeScreen, "action_stats", broken)
    app = QuizApp(load_catalog([], None), Options(user_packs=None, seed=1))
    with pytest.raises(ValueError):  # the test harness hands the error on; a real run exits with 1
        async with app.run_test(size=(100, 32)) as pilot:
            await pilot.press("s")
    assert app.return_code == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err and "locals" not in err
    match = re.search(r"quizapp: internal error \(ValueError: a bug of ours\); the full report is in (\S+)\. ", err)
    assert match, err
    assert "Traceback" in Path(match.group(1)).read_text(encoding="utf-8")
