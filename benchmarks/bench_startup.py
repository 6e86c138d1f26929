"""Start-up: time until the first question is on screen in a headless run, against a minimal
Textual app that shows one Static, each in a fresh interpreter, measured in the same run.

    python benchmarks/bench_startup.py [--runs 5]
"""
from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import textwrap

BARE = """
import time; t0 = time.perf_counter()
import asyncio
from textual.app import App
from textual.widgets import Static

class Bare(App):
    def compose(self):
        yield Static("hello", id="s")

async def main():
    app = Bare()
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        assert app.query_one("#s")
        print(time.perf_counter() - t0)
asyncio.run(main())
"""

QUIZAPP = """
import time; t0 = time.perf_counter()
import asyncio
from quizapp.app import QuizApp
from quizapp.catalog import load_catalog
from quizapp.options import Options

async def main():
    app = QuizApp(load_catalog([], None), Options(user_packs=None, seed=1))
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.press("enter")
        while type(app.screen).__name__ != "QuestionScreen" or not app.screen.query("ChoiceRow"):
            await pilot.pause(0.005)
        print(time.perf_counter() - t0)
asyncio.run(main())
"""


def one(code: str) -> float:
    out = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, check=True)
    return float(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    one(BARE), one(QUIZAPP)  # warm the file cache and bytecode
    bare = [one(BARE) for _ in range(runs)]
    app = [one(QUIZAPP) for _ in range(runs)]
    b, a = statistics.median(bare), statistics.median(app)
    print(f"bare Textual app, one Static:   median {b * 1000:7.1f} ms over {runs} runs")
    print(f"quizapp to first question:      median {a * 1000:7.1f} ms over {runs} runs")
    print(f"ratio: {a / b:.2f}x  (goal <= 1.5x)")


if __name__ == "__main__":
    main()
