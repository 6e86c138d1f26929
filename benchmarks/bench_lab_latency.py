"""How long a lab takes from a keystroke to new numbers on screen, against the probe alone.

    python benchmarks/bench_lab_latency.py [--repeat N]

Headless (Textual's run_test), in one process, with the model already loaded:
for the attention lab, one character typed into the sentence → the heatmap
and the table show the new sentence (the 150 ms typing debounce included and
reported apart); a head switch (Tab, then `h`) → the new head on screen; and,
for reference, the bare `attention` probe call on the same text. The lab's
own cost is what it adds on top of the probe and the debounce: drawing the
heatmap and the table, the worker and the message back.
"""
from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout without installing

from engine.probes import run_probe  # noqa: E402
from quizapp.labs import open_lab  # noqa: E402
from quizapp.labs.host import LabHost  # noqa: E402
from quizapp.widgets.heatmap import Heatmap  # noqa: E402

TEXT = "the dot product of query and key"
DEBOUNCE = 0.15


async def until(pilot, condition, timeout: float = 10.0) -> None:
    end = time.perf_counter() + timeout
    while not condition():
        if time.perf_counter() > end:
            raise TimeoutError("the lab did not update")
        await pilot.pause(0.002)


async def measure(repeat: int) -> dict[str, list[float]]:
    app = LabHost(open_lab("attention", "attention", {"text": TEXT}))
    times: dict[str, list[float]] = {"type a character": [], "switch head": []}
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.screen
        heatmap = screen.query_one("#heatmap", Heatmap)
        await until(pilot, lambda: heatmap.n_rows == len(TEXT))
        for i in range(repeat):
            n = heatmap.n_rows
            start = time.perf_counter()
            await pilot.press("x" if i % 2 == 0 else "backspace")
            await until(pilot, lambda: heatmap.n_rows != n and screen.idle)
            times["type a character"].append(time.perf_counter() - start)
        await pilot.press("tab")
        for _ in range(repeat):
            head = screen.head_no
            start = time.perf_counter()
            await pilot.press("h")
            await until(pilot, lambda: screen.result is not None and screen.result["head"] != head and screen.idle)
            times["switch head"].append(time.perf_counter() - start)
    return times


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=10)
    args = parser.parse_args()
    run_probe("attention", {"text": TEXT})  # load the model once, as a lab that has been used has
    probe = []
    for i in range(args.repeat):
        start = time.perf_counter()
        run_probe("attention", {"text": TEXT + "x" * (i % 2 + 1)})
        probe.append(time.perf_counter() - start)
    times = asyncio.run(measure(args.repeat))
    p = statistics.median(probe) * 1000
    print(f"attention probe alone:            {p:7.1f} ms (median of {args.repeat})")
    for name, values in times.items():
        ms = statistics.median(values) * 1000
        debounce = DEBOUNCE * 1000 if name == "type a character" else 0.0
        print(f"lab, {name:<27} {ms:7.1f} ms  (debounce {debounce:.0f} ms; lab overhead "
              f"{ms - debounce - p:6.1f} ms over the probe)")


if __name__ == "__main__":
    main()
