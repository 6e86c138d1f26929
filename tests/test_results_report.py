"""`quizapp report`: item analysis checked against a simulated class with known truth and
against figures recomputed here in plain numpy; hostile result files end in file:line messages."""
import io
import json
import re
from pathlib import Path

import numpy as np
import pytest

from quizapp.results.cli import report_main
from quizapp.results.simulate import simulated_class, write_class

COURSE = Path(__file__).resolve().parents[1] / "question_bank" / "packs" / "llm-foundations"


def report(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = report_main([*map(str, argv)], out, err)
    return status, out.getvalue(), err.getvalue()


def report_json(*argv) -> tuple[int, dict, str]:
    status, out, err = report(*argv, "--json")
    return status, json.loads(out), err


def average_ranks(values) -> np.ndarray:
    """1-based ranks, ties sharing their mean rank (as Spearman's rho wants)."""
    values = np.asarray(values, dtype=float)
    unique, inverse, counts = np.unique(values, return_inverse=True, return_counts=True)
    last = np.cumsum(counts)
    return (last - (counts - 1) / 2.0)[inverse]


def spearman(a, b) -> float:
    return float(np.corrcoef(average_ranks(a), average_ranks(b))[0, 1])


# --- the simulated class --------------------------------------------------------------------------

@pytest.fixture(scope="module")
def simulated(tmp_path_factory):
    sim = simulated_class(learners=400, questions=24, negative=3, dead=1, seed=7)
    pack, results = write_class(sim, tmp_path_factory.mktemp("class"))
    status, data, err = report_json(results, "--pack", pack)
    assert status == 0, err
    return sim, data, pack, results


def test_the_report_recovers_the_order_of_difficulty(simulated):
    sim, data, _, _ = simulated
    facility = {item["question"]: item["facility"] for item in data["items"]}
    positive = [item for item in sim.items if item.a > 0]
    rho = spearman([item.b for item in positive], [1 - facility[item.id] for item in positive])
    assert rho >= 0.9, rho


def test_the_report_flags_exactly_the_negatively_discriminating_questions(simulated):
    sim, data, _, _ = simulated
    negative = {item["question"] for item in data["items"] if any(f["kind"] == "negative" for f in item["flags"])}
    assert negative == {item.id for item in sim.items if item.a < 0}
    assert len(negative) == 3


def test_the_report_flags_the_distractor_nobody_is_drawn_to(simulated):
    sim, data, _, _ = simulated
    dead_item = sim.items[0]
    dead_choice = (dead_item.key + 1) % 4
    stats = next(item for item in data["items"] if item["question"] == dead_item.id)
    assert stats["choices"][dead_choice]["count"] == 0
    flags = [f for f in stats["flags"] if f["kind"] == "dead-distractor"]
    assert flags and f"distractor {'ABCD'[dead_choice]} (0.0%)" in flags[0]["reason"]


def test_the_terminal_table_lists_the_serious_flags_first(simulated):
    sim, _, pack, results = simulated
    status, out, err = report(results, "--pack", pack)
    assert status == 0 and "Traceback" not in out + err
    order = re.findall(r"^\s*(?:[✗!]\s)?(q\d{3})\b", out, re.MULTILINE)
    assert len(order) == len(sim.items)
    negative = {item.id for item in sim.items if item.a < 0}
    assert set(order[:3]) == negative
    assert "KR-20 = " in out


# --- figures against an independent recomputation --------------------------------------------------

PACK_YAML = """format: 1
pack: {id: tiny, title: "Tiny", version: "1"}
topics: [{id: t1, title: One}, {id: t2, title: Two}]
questions:
"""


def tiny_pack(folder: Path, questions: int = 6) -> Path:
    text = PACK_YAML
    for i in range(questions):
        text += (f"  - id: q{i}\n    topic: t{1 + i % 2}\n    prompt: Question {i}\n    explanation: x\n"
                 f"    choices: [{{text: a, correct: true}}, {{text: b}}, {{text: c}}]\n")
    path = folder / "tiny.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def line(learner, question, picked, correct=None, at=0, **extra) -> str:
    data = {"learner": learner, "pack": "tiny", "pack_version": "1", "question": question,
            "picked": picked, "correct": picked == [0] if correct is None else correct, "seconds": 3.0,
            "mode": "exam", "session": "1",
            "at": at if isinstance(at, str) else f"2026-01-01T00:{at // 60:02d}:{at % 60:02d}Z"}
    data.update(extra)
    return json.dumps(data)


def test_figures_match_a_plain_recomputation(tmp_path):
    rng = np.random.default_rng(3)
    learners, k = 60, 6
    picks = rng.choice(3, size=(learners, k), p=[0.55, 0.3, 0.15])
    ability = rng.normal(size=learners)
    picks[ability > 1.0, :3] = 0  # stronger learners right on the first questions: a real correlation
    x = (picks == 0).astype(float)
    lines = [line(f"L{l}", f"q{i}", [int(picks[l, i])], at=l + i) for l in range(learners) for i in range(k)]
    (tmp_path / "r.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    status, data, err = report_json(tmp_path / "r.jsonl", "--pack", tiny_pack(tmp_path))
    assert status == 0, err
    totals = x.sum(axis=1)
    for i, item in enumerate(data["items"]):
        rest = totals - x[:, i]
        assert item["n"] == learners
        assert item["facility"] == pytest.approx(x[:, i].mean())
        assert item["point_biserial"] == pytest.approx(np.corrcoef(x[:, i], rest)[0, 1], abs=1e-9)
        g = int(np.floor(0.27 * learners + 0.5))
        ranked = sorted(range(learners), key=lambda l: (rest[l], l))
        lower, upper = ranked[:g], ranked[-g:]
        assert item["group_size"] == g
        assert item["upper_lower"] == pytest.approx(x[upper, i].mean() - x[lower, i].mean())
        for c in range(3):
            choice = item["choices"][c]
            assert choice["share"] == pytest.approx(np.mean(picks[:, i] == c))
            assert choice["upper"] == pytest.approx(np.mean(picks[upper, i] == c))
            assert choice["lower"] == pytest.approx(np.mean(picks[lower, i] == c))
    p = x.mean(axis=0)
    kr20 = k / (k - 1) * (1 - (p * (1 - p)).sum() / totals.var())
    assert data["reliability"]["kr20"] == pytest.approx(kr20)
    topic_means = {t["topic"]: t["mean_facility"] for t in data["topics"]}
    assert topic_means["t1"] == pytest.approx(p[0::2].mean()) and topic_means["t2"] == pytest.approx(p[1::2].mean())


def test_only_each_learners_first_attempt_counts(tmp_path):
    pack = tiny_pack(tmp_path, questions=2)
    lines = [line("ann", "q0", [1], at=50),   # later in time, earlier in the file
             line("ann", "q0", [0], at=10),   # ann's first attempt: right
             line("ann", "q1", [0], at=11),
             line("bob", "q0", [2], at=12),
             line("bob", "q0", [0], at=40)]   # a retry after the feedback: not counted
    (tmp_path / "r.jsonl").write_text("\n".join(lines), encoding="utf-8")
    _, data, _ = report_json(tmp_path / "r.jsonl", "--pack", pack)
    q0 = data["items"][0]
    assert q0["n"] == 2 and q0["facility"] == 0.5
    assert [c["count"] for c in q0["choices"]] == [1, 0, 1]
    assert data["answers"] == 3 and data["learners"] == 2
    assert "not enough overlap" in data["reliability"]["note"] and data["reliability"]["kr20"] is None


def test_other_versions_vanished_questions_packs_and_modes_are_named_not_dropped(tmp_path):
    pack = tiny_pack(tmp_path, questions=2)
    lines = [line("ann", "q0", [0]), line("bob", "q0", [1]),
             line("ann", "q1", [0], pack_version="0.9"), line("cy", "q1", [0], pack_version="0.9"),
             line("ann", "old-question", [2]),
             line("ann", "q0", [0], pack="elsewhere"),
             line("dee", "q0", [0], mode="practice")]
    (tmp_path / "r.jsonl").write_text("\n".join(lines), encoding="utf-8")
    status, data, _ = report_json(tmp_path / "r.jsonl", "--pack", pack, "--mode", "exam")
    assert status == 0
    assert data["other_versions"] == [{"name": "0.9", "answers": 2, "learners": 2}]
    assert data["vanished"] == [{"name": "old-question", "answers": 1, "learners": 1}]
    assert data["other_packs"] == [{"name": "elsewhere", "answers": 1, "learners": 1}]
    assert data["other_modes"] == 1 and data["answers"] == 2
    assert data["unanswered"] == ["q1"]
    _, text, _ = report(tmp_path / "r.jsonl", "--pack", pack, "--mode", "exam")
    assert "for version 0.9 of the pack, not 1: left out" in text
    assert "question 'old-question' is not in the pack any more" in text
    _, all_modes, _ = report_json(tmp_path / "r.jsonl", "--pack", pack)
    assert all_modes["other_modes"] == 0 and all_modes["answers"] == 3


def test_a_changed_key_without_a_new_version_is_pointed_out(tmp_path):
    pack = tiny_pack(tmp_path, questions=1)
    lines = [line(f"L{i}", "q0", [1], correct=True) for i in range(3)]  # marked right against an old key
    (tmp_path / "r.jsonl").write_text("\n".join(lines), encoding="utf-8")
    _, data, _ = report_json(tmp_path / "r.jsonl", "--pack", pack)
    assert data["key_disagreements"] == [{"name": "q0", "answers": 3, "learners": 0}]


def test_the_pack_is_found_by_the_id_the_results_name(tmp_path):
    lines = [json.dumps({"learner": f"L{i}", "pack": "llm-foundations", "pack_version": "1.0.0",
                         "question": "arch-transformer-what", "picked": [i % 4], "correct": i % 4 == 1,
                         "mode": "practice", "at": "2026-01-01T00:00:00Z"}) for i in range(8)]
    (tmp_path / "r.jsonl").write_text("\n".join(lines), encoding="utf-8")
    status, data, err = report_json(tmp_path)
    assert status == 0, err
    assert data["pack_id"] == "llm-foundations" and data["items"][0]["n"] == 8


# --- hostile input -------------------------------------------------------------------------------

BAD_LINES = [
    ("{not json", "not valid JSON"),
    ("[1, 2]", "expected a JSON object"),
    ('{"learner": "a"}', "missing 'pack', 'question', 'picked', 'correct', 'at'"),
    (line("a", "q0", "zero"), "'picked' must be a non-empty list"),
    (line("a", "q0", []), "'picked' must be a non-empty list"),
    (line("a", "q0", [-1]), "choice indices are whole numbers"),
    (line("a", "q0", [True]), "choice indices are whole numbers"),
    (line("a", "q0", [1, 1]), "names choice 1 twice"),
    (line("a", "q0", [0], correct="yes"), "'correct' must be true or false"),
    (line("a", "q0", [0], mode="cram"), "'mode' must be one of"),
    (line("a", "q0", [0], seconds=-3), "'seconds' must be a number"),
    (line("a", "q0", [0], at="yesterday"), "'at' must be a time"),
    (line("", "q0", [0]), "'learner' must be a non-empty text"),
    (line("x" * 300, "q0", [0]), "longer than 200 characters"),
    (line("a", "q0", [0], params=[1]), "'params' must be an object"),
    ("[" * 100_000, "line longer than 64 KiB"),
    ("[" * 30_000, "not valid JSON"),
]


def test_malformed_lines_are_named_by_file_and_line_and_the_rest_still_counts(tmp_path):
    pack = tiny_pack(tmp_path, questions=1)
    good = [line(f"L{i}", "q0", [0]) for i in range(3)]
    text = "\ufeff" + good[0] + "\n\n" + "\n".join(bad for bad, _ in BAD_LINES) + "\n" + "\n".join(good[1:]) + "\n"
    path = tmp_path / "r.jsonl"
    path.write_bytes(text.encode("utf-8") + b'{"learner": "\xff"}\n')
    status, out, err = report(path, "--pack", pack, "--json")
    assert status == 1 and "Traceback" not in err
    data = json.loads(out)
    assert data["items"][0]["n"] == 3  # the good lines on either side of the bad ones
    messages = err.splitlines()
    for number, (_, expected) in enumerate(BAD_LINES, start=3):
        assert any(m.startswith(f"{path}:{number}: error: ") and expected in m for m in messages), (number, expected)
    assert f"{path}:{len(BAD_LINES) + 5}: error: not valid UTF-8 (byte 0xff" in err
    assert data["input"]["malformed"] == len(BAD_LINES) + 1


def test_a_choice_the_pack_does_not_have_is_named_by_file_and_line(tmp_path):
    pack = tiny_pack(tmp_path, questions=1)
    path = tmp_path / "r.jsonl"
    path.write_text(line("a", "q0", [0]) + "\n" + line("b", "q0", [5]) + "\n", encoding="utf-8")
    status, data, err = report_json(path, "--pack", pack)
    assert status == 1
    assert f"{path}:2: error: question 'q0' has no choice 5 in version 1 of the pack" in err
    assert data["items"][0]["n"] == 1


@pytest.mark.parametrize("argv, status, message", [
    (["missing.jsonl"], 2, "no such file or folder"),
    (["EMPTY_DIR"], 2, "no result files (*.jsonl)"),
    (["r.jsonl", "--pack", "no-such-pack"], 2, "no such pack file or folder: no-such-pack"),
    (["r.jsonl", "--mode", "weekly"], 2, "invalid choice"),
    (["mixed.jsonl"], 1, "the results are for several packs (a, b); name one with --pack"),
    (["r.jsonl", "--html", "EMPTY_DIR"], 2, "is a folder"),
])
def test_usage_errors_are_one_line(tmp_path, monkeypatch, capsys, argv, status, message):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "EMPTY_DIR").mkdir()
    (tmp_path / "r.jsonl").write_text(line("a", "q0", [0]) + "\n", encoding="utf-8")
    (tmp_path / "mixed.jsonl").write_text(line("a", "q0", [0], pack="a") + "\n" + line("a", "q0", [0], pack="b"),
                                          encoding="utf-8")
    code, out, err = report(*argv)
    err += capsys.readouterr().err  # argparse writes its usage errors to sys.stderr
    assert code == status and message in err and "Traceback" not in err


# --- the HTML report ------------------------------------------------------------------------------

def test_the_html_report_is_one_self_contained_file(simulated, tmp_path):
    sim, data, pack, results = simulated
    target = tmp_path / "report.html"
    status, _, err = report(results, "--pack", pack, "--html", target)
    assert status == 0 and f"wrote {target}" in err
    page = target.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    assert "<script" not in page and "<link" not in page and "@import" not in page
    assert not re.search(r"(src|href)=[\"'](https?:)?//", page)  # nothing fetched from the network
    flagged = [item for item in data["items"] if any(f["kind"] != "few" for f in item["flags"])]
    assert page.count("<svg") == 1 + len(flagged)  # the scatter, and distractor bars per flagged question
    for item in data["items"]:
        assert f"<td>{item['question']}</td>" in page
    assert "facility p (share correct)" in page and "KR-20 = " in page


def test_the_html_report_escapes_what_the_pack_says(tmp_path):
    from question_bank.loader import load_pack
    from quizapp.results.analysis import analyse
    from quizapp.results.html import render_html
    from quizapp.results.reading import read_results

    pack_path = tiny_pack(tmp_path, questions=1)
    pack_path.write_text(pack_path.read_text().replace('title: "Tiny"', 'title: "<script>alert(1)</script>"'))
    path = tmp_path / "r.jsonl"
    path.write_text(line("a", "q0", [0]) + "\n", encoding="utf-8")
    page = render_html(analyse(read_results([path]), load_pack(pack_path).pack))
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_the_chart_ticks_follow_the_language(simulated, tmp_path):
    from quizapp import i18n

    sim, data, pack, results = simulated
    pages = {}
    for lang in ("en", "de"):
        i18n.set_language(lang)  # as `quizapp --lang de report` does; the test's fixture goes back to English
        target = tmp_path / f"report-{lang}.html"
        status, _, err = report(results, "--pack", pack, "--html", target)
        assert status == 0, err
        pages[lang] = target.read_text(encoding="utf-8")
    tick = re.compile(r"<text[^>]*>\s*([−-]?\d+[.,]\d+)\s*</text>")
    english, german = tick.findall(pages["en"]), tick.findall(pages["de"])
    assert english and all("." in t for t in english)  # the scatter's axes: 0.0 … 1.0
    assert german == [t.replace(".", ",") for t in english]
