"""How long `quizapp report` takes on a class's results, against bare JSON parsing of the same files.

Writes a simulated class (two-parameter IRT, quizapp.results.simulate) with about 100,000
answers to a temporary folder, then times, best of several runs:

- baseline: read every line of every file and json.loads it, nothing else;
- read: quizapp's reader (validation, interning, typed columns);
- analyse: the item analysis on what was read;
- report: the whole `quizapp report --json` command (reading, analysis, JSON out);
- table: the whole command with the rich table instead of JSON;
- html: the whole command writing the HTML report with its matplotlib charts.

The design budget: the whole report of 100,000 answers in a few seconds, at most 4× the
bare parse (the ratio is what to watch; absolute times depend on the machine).

    python benchmarks/bench_report.py [--learners N] [--questions K] [--repeat R]
"""
from __future__ import annotations

import argparse
import io
import json
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout without installing

from benchmarks.timing import best_time  # noqa: E402
from question_bank.loader import load_pack  # noqa: E402
from quizapp.results.analysis import analyse  # noqa: E402
from quizapp.results.cli import report_main  # noqa: E402
from quizapp.results.reading import read_results, result_files  # noqa: E402
from quizapp.results.simulate import simulated_class, write_class  # noqa: E402


def bare_parse(files: list[Path]) -> int:
    count = 0
    for path in files:
        with path.open("rb") as f:
            for raw in f:
                json.loads(raw)
                count += 1
    return count


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--learners", type=int, default=2000)
    parser.add_argument("--questions", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=3)
    ns = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        sim = simulated_class(ns.learners, ns.questions, negative=3, dead=2, seed=0)
        pack_path, results = write_class(sim, Path(tmp), files=40)
        files, _ = result_files([results])
        pack = load_pack(pack_path).pack
        answers = read_results(files)
        quiet = io.StringIO
        base = best_time(lambda: bare_parse(files), ns.repeat)
        read = best_time(lambda: read_results(files), ns.repeat)
        analysis = best_time(lambda: analyse(answers, pack), ns.repeat)
        report = best_time(lambda: report_main([str(results), "--pack", str(pack_path), "--json"], quiet(), quiet()),
                           ns.repeat)
        table = best_time(lambda: report_main([str(results), "--pack", str(pack_path)], quiet(), quiet()), ns.repeat)
        html_out = Path(tmp) / "report.html"
        html = best_time(lambda: report_main([str(results), "--pack", str(pack_path), "--json", "--html",
                                              str(html_out)], quiet(), quiet()), 1)
    print(f"{len(answers):,} answers, {ns.learners:,} learners, {ns.questions} questions, {len(files)} files")
    print(f"bare JSON parse   {base:7.3f} s")
    print(f"read + validate   {read:7.3f} s   ({read / base:.2f}× the bare parse)")
    print(f"analyse           {analysis:7.3f} s")
    print(f"report --json     {report:7.3f} s   ({report / base:.2f}× the bare parse; budget 4×)")
    print(f"report (table)    {table:7.3f} s")
    print(f"report --html     {html:7.3f} s   (one run: matplotlib's import and the charts included)")
    return 0 if report / base <= 4.0 else 1


if __name__ == "__main__":
    sys.exit(main())
