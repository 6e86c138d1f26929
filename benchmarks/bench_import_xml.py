"""How long the importers take on large and hostile inputs, and whether the time grows linearly.

Inputs, each timed in a child process (stopped after --timeout seconds):

- Moodle XML with one question whose text is about 1 MB and 5 MB, once as
  Markdown and once as HTML, written as many short lines with entity
  references (expat hands such text over in thousands of pieces);
- Moodle XML with hostile HTML: `<a ` repeated (no tag ever closes), 1 MB;
- an entity-expansion bomb: a DTD entity referenced 300,000 times, 75 MB once
  expanded, within expat's own amplification limit;
- GIFT and Aiken files of about 1 MB and 5 MB of ordinary questions.

Reported per input: the import time and, for the XML inputs, the ratio to
parsing the same bytes with ElementTree's C parser in the same run. For each
1 MB / 5 MB pair the growth ratio says whether the time is linear (about 5)
or quadratic (about 25). Budgets: growth under 8; ratio to ElementTree under 5
for Markdown texts and under 40 for HTML (converted to Markdown in Python);
the bomb refused at once. Before this reader (text joined with `+=`, entities
expanded) 1 MB took 2.7 s, 5 MB 141 s and the bomb did not end in 240 s.

    python benchmarks/bench_import_xml.py [--timeout SECONDS]
"""
from __future__ import annotations

import argparse
import multiprocessing
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout without installing

LINE = "Attention weights &amp; scores: softmax(q&#183;k / &#8730;d_k) sums to one.\n"
HTML_LINE = "<p>Attention <b>weights</b> &amp; scores: softmax(q&#183;k / &#8730;d<sub>k</sub>) sums to one.</p>\n"


def quiz(text: str, fmt: str = "markdown", doctype: str = "") -> bytes:
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n{doctype}<quiz>\n<question type="multichoice">\n'
            f'<name><text>big</text></name>\n<questiontext format="{fmt}"><text>{text}</text></questiontext>\n'
            '<single>true</single>\n<answer fraction="100"><text>yes</text></answer>\n'
            '<answer fraction="0"><text>no</text></answer>\n</question>\n</quiz>\n').encode("utf-8")


def repeated(unit: str, megabytes: float) -> str:
    return unit * int(megabytes * 1_000_000 / len(unit))


def escaped(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def entity_bomb() -> bytes:
    # 252 bytes per 3-byte reference, 300,000 references: 75 MB of text from a 0.9 MB file. That stays
    # under expat's own amplification limit (100x), so a parser that expands entities does all the work.
    doctype = f'<!DOCTYPE quiz [<!ENTITY w "{"laughs " * 36}">]>\n'
    return quiz("&w;" * 300_000, doctype=doctype)


GIFT_QUESTION = ("::q{n}:: Which term of the PPO objective is clipped?{{\n\t=The ratio r_t(θ)#Yes.\n"
                 "\t~%50%The advantage Â_t#Half.\n\t~The reward#No.\n\t####The ratio is clipped.\n}}\n\n")
AIKEN_QUESTION = "Which term of the PPO objective is clipped?\nA. The advantage\nB) The ratio\nANSWER: B\n\n"


def gift_file(megabytes: float) -> str:
    count = int(megabytes * 1_000_000 / len(GIFT_QUESTION.format(n=0)))
    return "".join(GIFT_QUESTION.format(n=n) for n in range(count))


def _import(kind: str, data, queue) -> None:  # in a child process, so a hang can be stopped
    from question_bank.interchange import aiken, gift, moodle_xml
    parse = {"xml": moodle_xml.parse, "gift": gift.parse, "aiken": aiken.parse}[kind]
    start = time.perf_counter()
    result = parse(data, f"bench.{kind}")
    first = result.errors[0].message[:80] if result.errors else ""
    queue.put((time.perf_counter() - start, result.pack is not None, first))


def timed_import(kind: str, data, timeout: float) -> tuple[float | None, str]:
    queue: multiprocessing.Queue = multiprocessing.Queue()
    child = multiprocessing.Process(target=_import, args=(kind, data, queue))
    child.start()
    child.join(timeout)
    if child.is_alive():
        child.kill()
        child.join()
        return None, f"still running after {timeout:.0f} s (stopped)"
    seconds, imported, first = queue.get()
    return seconds, "imported" if imported else f"refused: {first}"


def baseline(data: bytes) -> float:
    start = time.perf_counter()
    try:
        ET.fromstring(data)
    except ET.ParseError:
        pass
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--timeout", type=float, default=120, help="stop an import after this many seconds")
    args = parser.parse_args()
    cases = [
        ("xml", "1 MB Markdown text", quiz(repeated(LINE, 1))),
        ("xml", "5 MB Markdown text", quiz(repeated(LINE, 5))),
        ("xml", "1 MB HTML text", quiz(escaped(repeated(HTML_LINE, 1)), "html")),
        ("xml", "5 MB HTML text", quiz(escaped(repeated(HTML_LINE, 5)), "html")),
        ("xml", "1 MB hostile HTML", quiz(escaped(repeated("<a ", 1)), "html")),
        ("xml", "entity bomb", entity_bomb()),
        ("gift", "1 MB GIFT", gift_file(1)),
        ("gift", "5 MB GIFT", gift_file(5)),
        ("aiken", "1 MB Aiken", repeated(AIKEN_QUESTION, 1)),
        ("aiken", "5 MB Aiken", repeated(AIKEN_QUESTION, 5)),
    ]
    times: dict[str, float | None] = {}
    for kind, name, data in cases:
        size = len(data) if isinstance(data, bytes) else len(data.encode("utf-8"))
        seconds, outcome = timed_import(kind, data, args.timeout)
        times[name] = seconds
        shown = f"{seconds:7.3f} s" if seconds is not None else "   hang  "
        extra = ""
        if kind == "xml" and seconds is not None:
            base = baseline(data)
            extra = f"  ElementTree {base:6.3f} s, ratio {seconds / base:6.1f}" if base > 0 else ""
        print(f"{name:20} {size / 1e6:6.2f} MB  import {shown}{extra}  {outcome}")
    for small in [name for name in times if name.startswith("1 MB ")]:
        large = "5" + small[1:]
        if large in times and times[small] and times[large]:
            print(f"growth 1 MB -> 5 MB, {small[5:]:15} {times[large] / times[small]:5.1f}x (linear: about 5)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
