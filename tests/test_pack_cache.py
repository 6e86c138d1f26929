"""The pack cache: exactly what a fresh load gives, dropped on any change, and harmless when damaged.

Whether a result came from the cache is told by counting calls of the loader
(question_bank.loader.load_one): a hit never parses the pack.
"""
from __future__ import annotations

import hashlib
import json
import os
import textwrap
from pathlib import Path

import pytest

from question_bank import cache as cache_module
from question_bank import loader
from question_bank.cache import CachedPack, PackCache, load_packs_lazily
from question_bank.files import bundled_pack_paths
from question_bank.loader import load_packs
from question_bank.models import FrozenMap
from question_bank.summary import summarise

ROOT = Path(__file__).resolve().parents[1]
MINI = ROOT / "tests" / "fixtures" / "mini.yaml"

HEADER = """\
format: 1
pack:
  id: {id}
  title: Demo
topics:
  - id: t1
    title: Topic one
"""


def question(qid: str, prompt: str = "Pick one", extra: str = "", explanation: bool = True) -> str:
    """One question of the `questions:` list; `extra` holds more of its keys."""
    lines = [f"  - id: {qid}", "    topic: t1", f"    prompt: {prompt}", "    choices:", "      - text: a",
             "        correct: true", "      - text: b"]
    lines += ["    explanation: E"] if explanation else []
    lines += ["    " + line for line in textwrap.dedent(extra).splitlines()]
    return "\n".join(lines) + "\n"


def write_pack(path: Path, *questions: str, pack_id: str = "demo") -> Path:
    path.write_text(HEADER.format(id=pack_id) + "questions:\n" + "".join(questions), encoding="utf-8")
    return path


def write_folder(folder: Path, pack_id: str = "folder") -> Path:
    folder.mkdir()
    write_pack(folder / "pack.yaml", question("q1"), pack_id=pack_id)
    (folder / "more.yaml").write_text("questions:\n" + question("q2"), encoding="utf-8")
    return folder


class LoadCounter:
    """Counts the packs parsed from their files."""

    def __init__(self, monkeypatch) -> None:
        self.paths: list[str] = []
        real = loader.load_one

        def counting(path, *args, **kwargs):
            self.paths.append(str(path))
            return real(path, *args, **kwargs)
        monkeypatch.setattr(loader, "load_one", counting)

    def reset(self) -> None:
        self.paths.clear()


@pytest.fixture
def parsed(monkeypatch) -> LoadCounter:
    return LoadCounter(monkeypatch)


@pytest.fixture
def folder(tmp_path) -> Path:
    return tmp_path / "cache"


def cached(paths, folder: Path, version: str = "1.0", engine: str = "engine-1"):
    """The load results through the cache, every pack built."""
    return [got.result() if isinstance(got, CachedPack) else got
            for got in load_packs_lazily(paths, PackCache(folder, version, engine_identity=lambda: engine))]


def lazily(paths, folder: Path):
    return load_packs_lazily(paths, PackCache(folder, "1.0", engine_identity=lambda: "engine-1"))


# --- the same results ---

def test_a_cached_load_returns_exactly_what_a_fresh_load_returns(folder, parsed, tmp_path):
    extras = tmp_path / "extras.yaml"
    write_pack(extras, question("q1", extra="""\
        x-when: 2024-05-01
        x-stamp: 2024-05-01T10:20:30+02:00
        x-blob: !!binary aGVsbG8=
        x-nested: {list: [1, 2.5, "three", null, true], map: {a: [], b: {}}}
        """), question("q2"), pack_id="extras")
    warned = write_pack(tmp_path / "warned.yaml", question("q1", explanation=False),
                        pack_id="warned")
    broken = write_pack(tmp_path / "broken.yaml", question("q1", extra="difficulty: 9\n"), pack_id="broken")
    paths = [*bundled_pack_paths(), MINI, extras, warned, broken]
    fresh = load_packs(paths)
    assert fresh[-1].pack is None and fresh[-2].warnings  # the check covers a broken pack and warnings too
    assert fresh[-3].pack.questions[0].extras["x-blob"] == b"hello"

    parsed.reset()
    first = cached(paths, folder)  # cold: parsed and written
    assert len(parsed.paths) == len(paths)
    parsed.reset()
    second = cached(paths, folder)  # warm: read back
    assert parsed.paths == []
    assert first == fresh and second == fresh
    assert [r.problems for r in second] == [r.problems for r in fresh]
    extras_pack = second[-3].pack
    assert isinstance(extras_pack.questions[0].extras["x-nested"], FrozenMap)
    assert extras_pack.questions[0].extras["x-nested"]["list"] == (1, 2.5, "three", None, True)
    assert type(extras_pack.questions[0].extras["x-nested"]["list"][1]) is float


def test_the_id_check_across_packs_still_applies_to_cached_packs(folder, tmp_path):
    first = write_pack(tmp_path / "a.yaml", question("q1"), pack_id="same")
    second = write_pack(tmp_path / "b.yaml", question("q1"), pack_id="same")
    cached([first, second], folder)
    results = cached([first, second], folder)
    assert results == load_packs([first, second])
    assert results[1].pack is None and "already used" in results[1].errors[0].message


def test_the_same_pack_given_by_another_path_reports_that_path(folder, tmp_path, monkeypatch):
    pack = write_pack(tmp_path / "demo.yaml", question("q1"))
    cached([pack], folder)
    monkeypatch.chdir(tmp_path)
    relative = cached([Path("demo.yaml")], folder)[0]
    assert relative == load_packs([Path("demo.yaml")])[0]
    assert relative.pack.path == "demo.yaml"


# --- every change is seen ---

def test_an_edit_is_seen(folder, parsed, tmp_path):
    pack = write_pack(tmp_path / "demo.yaml", question("q1"))
    cached([pack], folder)
    write_pack(pack, question("q1", prompt="Pick another one"))
    parsed.reset()
    assert cached([pack], folder)[0].pack.questions[0].prompt == "Pick another one"
    assert parsed.paths == [str(pack)]


def test_an_edit_that_keeps_size_and_time_is_seen_by_the_content_hash(folder, parsed, tmp_path):
    pack = write_pack(tmp_path / "demo.yaml", question("q1", prompt="Pick one"))
    before = pack.stat()
    cached([pack], folder)
    write_pack(pack, question("q1", prompt="Pick two"))
    os.utime(pack, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert pack.stat().st_size == before.st_size and pack.stat().st_mtime_ns == before.st_mtime_ns
    parsed.reset()
    assert cached([pack], folder)[0].pack.questions[0].prompt == "Pick two"
    assert parsed.paths == [str(pack)]


def test_touching_a_pack_reloads_it(folder, parsed, tmp_path):
    pack = write_pack(tmp_path / "demo.yaml", question("q1"))
    cached([pack], folder)
    stat = pack.stat()
    os.utime(pack, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    fresh = load_packs([pack])
    parsed.reset()
    assert cached([pack], folder) == fresh
    assert parsed.paths == [str(pack)]


def test_a_new_file_in_a_folder_pack_is_seen(folder, parsed, tmp_path):
    pack = write_folder(tmp_path / "course")
    assert [q.id for q in cached([pack], folder)[0].pack.questions] == ["q1", "q2"]
    (pack / "extra.yaml").write_text("questions:\n" + question("q3"), encoding="utf-8")
    parsed.reset()
    assert [q.id for q in cached([pack], folder)[0].pack.questions] == ["q1", "q3", "q2"]
    assert parsed.paths == [str(pack)]
    (pack / "notes.txt").write_text("not a pack file", encoding="utf-8")  # the loader never reads it
    parsed.reset()
    cached([pack], folder)
    assert parsed.paths == []


def test_a_new_app_version_reloads(folder, parsed, tmp_path):
    pack = write_pack(tmp_path / "demo.yaml", question("q1"))
    cached([pack], folder, version="1.0")
    parsed.reset()
    cached([pack], folder, version="1.1")
    assert parsed.paths == [str(pack)]


def test_a_changed_loader_reloads(folder, parsed, tmp_path, monkeypatch):
    pack = write_pack(tmp_path / "demo.yaml", question("q1"))
    cached([pack], folder)
    monkeypatch.setattr(cache_module, "code_identity", lambda: "an edited loader")
    parsed.reset()
    cached([pack], folder)
    assert parsed.paths == [str(pack)]


def test_a_new_engine_reloads_only_packs_that_use_it(folder, parsed, tmp_path):
    live = write_pack(tmp_path / "live.yaml", question("q1", extra="""\
        live:
          - probe: softmax
            args: {scores: [1, 2]}
        """), pack_id="live")
    plain = write_pack(tmp_path / "plain.yaml", question("q1"), pack_id="plain")
    cached([live, plain], folder, engine="engine-1")
    parsed.reset()
    cached([live, plain], folder, engine="engine-1")
    assert parsed.paths == []
    cached([live, plain], folder, engine="engine-2")
    assert parsed.paths == [str(live)]


def test_the_engine_identity_follows_the_recorded_checkpoints(tmp_path, monkeypatch):
    from engine.identity import engine_identity

    def identity_of(folder: str, recorded: str) -> str:
        weights = tmp_path / folder
        weights.mkdir()
        (weights / "rlhf.json").write_text(f'{{"weights_sha256": "{recorded}"}}', encoding="utf-8")
        monkeypatch.setenv("QUIZAPP_WEIGHTS_DIR", str(weights))  # the folder the engine loads from
        return engine_identity()

    bundled = engine_identity()
    first = identity_of("a", "aa")
    assert first != bundled
    assert identity_of("b", "bb") != first  # another recorded checksum: another engine
    assert identity_of("c", "aa") == first  # the same checkpoints elsewhere: the same engine


# --- damage ---

def entry_files(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.json"))


@pytest.mark.parametrize("damage", [
    lambda data: b"",
    lambda data: data[: len(data) // 2],                     # cut short
    lambda data: b"\x00\xff garbage \xfe" * 100,
    lambda data: data.replace(b"Pick one", b"Pick 0ne"),      # the payload no longer matches its checksum
    lambda data: b'{"key": 1}\n[]',
    lambda data: b"[1, 2, 3]\n",
])
def test_a_damaged_entry_is_dropped_silently_and_rebuilt(folder, parsed, tmp_path, damage):
    pack = write_pack(tmp_path / "demo.yaml", question("q1"))
    fresh = load_packs([pack])
    cached([pack], folder)
    [entry] = entry_files(folder)
    entry.write_bytes(damage(entry.read_bytes()))
    parsed.reset()
    assert cached([pack], folder) == fresh
    assert parsed.paths == [str(pack)]
    parsed.reset()
    assert cached([pack], folder) == fresh  # rebuilt: a hit again
    assert parsed.paths == []


def test_an_entry_that_decodes_to_the_wrong_things_is_dropped(folder, parsed, tmp_path):
    pack = write_pack(tmp_path / "demo.yaml", question("q1"))
    cached([pack], folder)
    [entry] = entry_files(folder)
    first, body = entry.read_bytes().split(b"\n", 1)
    header = json.loads(first)
    summary = body[:header["summary"]]  # the summary is right; the payload after it is not a pack
    fresh = load_packs([pack])
    for payload in (b'[["topic", "t1", "T"], [], ["x", 1, 1]]', b'[null, [["nope"]], ["x", 1, 1]]',
                    b'[["q", ' + b'"x", ' * 40 + b'"x"], [], ["x", 1, 1]]'):
        body = summary + payload
        header.update(sha256=hashlib.sha256(body).hexdigest(), length=len(body))
        entry.write_bytes(json.dumps(header).encode() + b"\n" + body)
        parsed.reset()
        [lazy] = lazily([pack], folder)
        assert parsed.paths == []  # listed from the summary ...
        assert lazy.pack() == fresh[0].pack  # ... and built from the files when the payload fails
        assert parsed.paths == [str(pack)]
        assert not entry.exists()
        entry.write_bytes(json.dumps(header).encode() + b"\n" + body)
        parsed.reset()
        assert cached([pack], folder) == fresh
        assert parsed.paths == [str(pack)]


def test_an_unusable_cache_folder_only_costs_the_cache(parsed, tmp_path):
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder", encoding="utf-8")
    pack = write_pack(tmp_path / "demo.yaml", question("q1"))
    assert cached([pack], blocked / "cache") == load_packs([pack])
    assert cached([pack], blocked / "cache") == load_packs([pack])


def test_missing_and_misnamed_packs_are_left_to_the_loader(folder, tmp_path):
    paths = [tmp_path / "missing.yaml", tmp_path / "notes.txt", tmp_path / "empty-folder"]
    paths[1].write_text("hello", encoding="utf-8")
    paths[2].mkdir()
    assert cached(paths, folder) == load_packs(paths)
    assert entry_files(folder) == []


# --- summaries: the home screen is drawn before a pack's objects are built ---

def fixture_packs(tmp_path: Path) -> list[Path]:
    translated = tmp_path / "translated.yaml"
    translated.write_text(textwrap.dedent("""\
        format: 1
        pack:
          id: translated
          title: Demo
          version: "2.1"
          authors: [Ann, Bo]
          description: What it covers
          translations:
            de: {title: Vorführung}
            fr: {title: Démo, description: Ce qu'il couvre}
        topics:
          - id: t1
            title: Topic one
            translations: {de: {title: Thema eins}}
          - id: t2
            title: Topic two, empty
        questions:
        """) + question("q1", extra="""\
        translations:
          de:
            prompt: Wähle eine
            choices: [a, b]
        """) + question("q2"), encoding="utf-8")
    return [*bundled_pack_paths(), MINI, translated]


def test_a_summary_says_what_a_fresh_load_of_its_pack_says(folder, parsed, tmp_path):
    paths = fixture_packs(tmp_path)
    fresh = [r.pack for r in load_packs(paths)]
    cached(paths, folder)
    parsed.reset()
    results = lazily(paths, folder)
    assert parsed.paths == [] and all(isinstance(r, CachedPack) and not r.built for r in results)
    for got, pack in zip(results, fresh):
        summary = got.summary
        assert summary == summarise(pack)
        # Each field against the pack itself, not against summarise():
        assert (summary.id, summary.title, summary.version, summary.language, summary.authors, summary.description,
                summary.path) == (pack.id, pack.title, pack.version, pack.language, pack.authors, pack.description,
                                  pack.path)
        assert summary.question_count == len(pack.questions)
        assert summary.count_by_topic() == {t.id: sum(q.topic == t.id for q in pack.questions) for t in pack.topics}
        assert summary.question_languages == tuple(sorted({lang for q in pack.questions for lang in q.translations}))
        for lang in (None, "en", "de", "fr", "xx"):
            assert summary.title_in(lang) == pack.title_in(lang)
            assert summary.description_in(lang) == pack.description_in(lang)
            assert [t.title_in(lang) for t in summary.topics] == [t.title_in(lang) for t in pack.topics]
        assert got.pack() == pack and got.built
    assert results[-1].summary.title_in("fr") == "Démo" and results[-1].summary.count_by_topic()["t2"] == 0
    assert parsed.paths == []  # the packs came from their entries


def test_a_pack_listed_from_its_summary_is_the_pack_built_later_even_if_its_file_changed(folder, parsed, tmp_path):
    pack = write_pack(tmp_path / "demo.yaml", question("q1"), question("q2"))
    before = load_packs([pack])[0].pack
    cached([pack], folder)
    [lazy] = lazily([pack], folder)
    write_pack(pack, question("q1", prompt="Edited"))  # while the app is running
    parsed.reset()
    assert lazy.summary.question_count == 2 and lazy.pack() == before
    assert parsed.paths == []


def test_a_damaged_summary_is_a_damaged_entry(folder, parsed, tmp_path):
    pack = write_pack(tmp_path / "demo.yaml", question("q1"))
    cached([pack], folder)
    [entry] = entry_files(folder)
    entry.write_bytes(entry.read_bytes().replace(b'"Demo"', b'"Dumb"', 1))  # same length: only the checksum sees it
    parsed.reset()
    [lazy] = lazily([pack], folder)
    assert parsed.paths == [str(pack)]  # loaded from the file again, not listed as "Dumb"
    assert not isinstance(lazy, CachedPack) and lazy.pack.title == "Demo"


def test_broken_and_clashing_packs_read_lazily_are_what_load_packs_gives(folder, tmp_path):
    first = write_pack(tmp_path / "a.yaml", question("q1"), pack_id="same")
    second = write_pack(tmp_path / "b.yaml", question("q1"), pack_id="same")
    broken = write_pack(tmp_path / "broken.yaml", question("q1", extra="difficulty: 9\n"), pack_id="broken")
    paths = [first, second, broken]
    cached(paths, folder)
    fresh = load_packs(paths)
    results = lazily(paths, folder)
    assert isinstance(results[0], CachedPack) and results[0].pack() == fresh[0].pack
    assert results[1:] == fresh[1:]
    assert "already used" in results[1].errors[0].message and "difficulty" in results[2].errors[0].message


# --- who uses it ---

def test_validate_never_uses_the_cache(tmp_path, monkeypatch, capsys):
    from quizapp.cli import main

    pack = write_pack(tmp_path / "demo.yaml", question("q1"))
    cache_folder = tmp_path / "cache"
    monkeypatch.setenv("QUIZAPP_CACHE", str(cache_folder))

    def refuse(*args, **kwargs):
        raise AssertionError("validate used the pack cache")
    monkeypatch.setattr(PackCache, "__init__", refuse)
    assert main(["validate", str(pack)]) == 0
    assert not cache_folder.exists()
    write_pack(pack, question("q1", extra="difficulty: 9\n"))
    assert main(["validate", str(pack)]) == 1
    assert "difficulty must be 1 to 5" in capsys.readouterr().out


def test_the_app_and_stats_load_through_the_cache_folder(tmp_path, monkeypatch):
    from quizapp.catalog import load_catalog
    from quizapp.locations import pack_cache_dir

    monkeypatch.setenv("QUIZAPP_CACHE", str(tmp_path / "cache"))
    assert pack_cache_dir() == tmp_path / "cache" / "packs"
    fresh = load_catalog([MINI], None)
    assert load_catalog([MINI], None, pack_cache_dir()) == fresh
    assert len(entry_files(pack_cache_dir())) == len(bundled_pack_paths()) + 1
    assert load_catalog([MINI], None, pack_cache_dir()) == fresh


def test_the_cache_lives_under_quizapp_home_unless_quizapp_cache_says_otherwise(tmp_path, monkeypatch):
    from quizapp.locations import cache_dir

    monkeypatch.delenv("QUIZAPP_CACHE", raising=False)
    monkeypatch.setenv("QUIZAPP_HOME", str(tmp_path / "home"))
    assert cache_dir() == tmp_path / "home" / "cache"
    monkeypatch.setenv("QUIZAPP_CACHE", str(tmp_path / "elsewhere"))
    assert cache_dir() == tmp_path / "elsewhere"
