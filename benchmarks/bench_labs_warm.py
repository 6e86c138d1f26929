"""The PPO lab from a question, as a person meets it: `l` → the first PPO step on screen, cold and warm.

    python benchmarks/bench_labs_warm.py [--runs 3]

Each run starts quizapp in a pseudo-terminal (160×40, benchmarks/terminal.py)
with a one-question pack whose live block is a `ppo_step`, answers the
question and presses `l`:

- cold: QUIZAPP_NO_WARM=1, so `l` pays for importing torch, loading the
  checkpoints and torch's first-use set-up (goal ≤ 3 s);
- quick: the app as it ships, the keys pressed as soon as each screen shows, so
  `l` meets the background warm-up half done;
- then `n` (the next seed): a step the question's evidence has not computed, so
  the lab's own cost (the question's evidence panel computes the block's step
  when the question is answered, and the lab's first step is that same call);
- warm: the app's background warm-up has finished (the process has used no CPU
  for a second), as after a learner has read the home screen; the keys are
  pressed as soon as each screen shows (goal ≤ 0.5 s for the first PPO step,
  ≤ 1 s for compare-stages, ctrl+t to the Stages tab);
- warm, reading: the same, but the learner reads the question for 3 s before
  answering (the question screen starts its evidence when the question is
  shown, so the step may be done by then);
- in-app: warm, keys at once, with QUIZAPP_NO_ENGINE_PROCESS=1: the PPO step
  computed in a thread of the app's process, as before the engine process
  (the ratios at the end compare the two in the same run).

For reference it also times the two probes alone in this process, after a
warm-up call; the lab's figures are those plus the screen's own work. Resident
memory (RSS, the app's and its engine process's together) is read after both results are on
screen (goal < 500 MB). The load
average is printed: on a busy machine the absolute times stretch.
"""
from __future__ import annotations

import argparse
import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # as quizapp.cli does, before numpy loads (probes_alone)

import statistics  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from terminal import Terminal, load_average  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

PACK = """\
format: 1
pack: {id: lab-bench, title: Lab bench}
topics: [{id: ppo, title: PPO}]
questions:
  - id: step
    topic: ppo
    prompt: One PPO step on the bundled policy.
    choices: [{text: first, correct: true}, {text: second}]
    explanation: See the lab.
    live:
      - probe: ppo_step
        args: {prompt: "what does the critic do?", seed: 0}
"""
STEP_SHOWN = "answer 1/8"  # the first line of the step's result (PPOLab.show_answer)
NEXT_SHOWN = "seed 1:"  # the stats line of the next step's result (PPOLab.show_step)
STAGES_SHOWN = "mean rater score"  # in every stage of compare_stages' result (PPOLab.show_stages)
READING = 3.0  # seconds a reading learner spends on the question before answering


def cpu_seconds(term: Terminal) -> float:
    """CPU time used so far by the program and the processes it started (its engine process)."""
    total = 0
    for pid in term.pids():
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def wait_until_idle(term: Terminal, quiet: float = 1.0, timeout: float = 120.0) -> float:
    """Seconds until the program has used no CPU for `quiet` seconds (its warm-up is done)."""
    start = time.perf_counter()
    last, since = cpu_seconds(term), time.perf_counter()
    while time.perf_counter() - start < timeout:
        term.drain(0.1)
        now = cpu_seconds(term)
        if now != last:
            last, since = now, time.perf_counter()
        elif time.perf_counter() - since >= quiet:
            return since - start
    raise TimeoutError("the app did not settle")


def read_for(term: Terminal, seconds: float) -> None:
    """Keep reading the screen for `seconds` without pressing anything."""
    end = time.perf_counter() + seconds
    while (left := end - time.perf_counter()) > 0:
        term.drain(min(0.1, left))


def one_run(root: Path, pack: Path, kind: str, results: dict[str, list[float]]) -> None:
    run = sum(len(v) for v in results.values())
    env = {k: v for k, v in os.environ.items() if not k.startswith(("QUIZAPP_", "XDG_"))}
    env.update(TERM="xterm-256color", COLORTERM="truecolor", HOME=str(root / f"home-{run}"))
    if kind == "cold":
        env["QUIZAPP_NO_WARM"] = "1"
    if kind == "in-app":
        env["QUIZAPP_NO_ENGINE_PROCESS"] = "1"
    with Terminal([sys.executable, "-m", "quizapp", "--seed", "1", "--pack", str(pack)], env, size=(160, 40)) as t:
        t.since_start("Enter starts practice", timeout=120)
        if kind == "warm":
            results["warm-up"].append(wait_until_idle(t))
            results["RSS warm, before the lab"].append(t.rss_mb())
        elif kind in ("reading", "in-app"):
            wait_until_idle(t)
        t.press("\r", "question 1/")
        if kind == "reading":
            read_for(t, READING)
        t.press("a", "Explanation.")
        results[f"{kind} step"].append(t.press("l", STEP_SHOWN, timeout=180))
        if kind == "reading":
            return
        # n: the next seed, a step the question's evidence did not compute: the lab's own cost.
        results[f"{kind} next step"].append(t.press("n", NEXT_SHOWN, timeout=180))
        results[f"{kind} stages"].append(t.press("\x14", STAGES_SHOWN, timeout=180))  # ctrl+t: the next tab
        results[f"RSS {kind}, lab used"].append(t.rss_mb())


def probes_alone(repeat: int) -> dict[str, float]:
    from engine.probes import run_probe

    calls = {"ppo_step": {"prompt": "what does the critic do?"}, "compare_stages": {"prompt": "what is an agent?"}}
    times = {}
    for name, args in calls.items():
        run_probe(name, {**args, "seed": 99})  # warm-up
        runs = []
        for seed in range(repeat):
            start = time.perf_counter()
            run_probe(name, {**args, "seed": seed})
            runs.append(time.perf_counter() - start)
        times[name] = statistics.median(runs)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    names = ["cold step", "cold next step", "cold stages", "quick step", "quick next step", "quick stages", "warm-up",
             "warm step", "warm next step", "warm stages", "reading step", "in-app step", "in-app next step",
             "in-app stages", "RSS warm, before the lab", "RSS cold, lab used", "RSS quick, lab used",
             "RSS warm, lab used", "RSS in-app, lab used"]
    results: dict[str, list[float]] = {name: [] for name in names}
    load_before = load_average()
    with tempfile.TemporaryDirectory(prefix="quizapp-bench-labs-") as folder:
        root = Path(folder)
        pack = root / "lab.yaml"
        pack.write_text(PACK, encoding="utf-8")
        for _ in range(args.runs):
            for kind in ("cold", "quick", "warm", "reading", "in-app"):
                one_run(root, pack, kind, results)
    alone = probes_alone(args.runs)
    med = {name: statistics.median(values) for name, values in results.items()}
    print(f"{args.runs} runs each; load average before {load_before}, after {load_average()} (2 cores)")
    print(f"cold start, l → first PPO step on screen:     {med['cold step']:6.2f} s   (goal ≤ 3)")
    print(f"cold start, then ctrl+t → compare-stages:     {med['cold stages']:6.2f} s")
    print(f"quick learner, l → first PPO step on screen:  {med['quick step']:6.2f} s")
    print(f"quick learner, then ctrl+t → compare-stages:  {med['quick stages']:6.2f} s")
    print(f"warm-up in the background, done after:        {med['warm-up']:6.2f} s from the home screen")
    print(f"warm, l → first PPO step on screen:           {med['warm step']:6.2f} s   (goal ≤ 0.5)")
    print(f"warm, read {READING:.0f} s, l → first PPO step on screen: {med['reading step']:6.2f} s   (goal ≤ 0.5)")
    print(f"warm, then n → the next PPO step on screen:   {med['warm next step']:6.2f} s   "
          f"(cold {med['cold next step']:.2f}, quick {med['quick next step']:.2f})")
    print(f"warm, ctrl+t → compare-stages on screen:      {med['warm stages']:6.2f} s   (goal ≤ 1)")
    print(f"warm, the step in the app's process (QUIZAPP_NO_ENGINE_PROCESS=1): l {med['in-app step']:.2f} s, "
          f"n {med['in-app next step']:.2f} s, ctrl+t {med['in-app stages']:.2f} s")
    print(f"probes alone, warm process: ppo_step {alone['ppo_step']:.2f} s, compare_stages "
          f"{alone['compare_stages']:.2f} s")
    print(f"RSS: warm before the lab {med['RSS warm, before the lab']:.0f} MB; lab used: cold "
          f"{med['RSS cold, lab used']:.0f} MB, quick {med['RSS quick, lab used']:.0f} MB, "
          f"warm {med['RSS warm, lab used']:.0f} MB   (goal < 500)")
    print("spread (min–max): " + "; ".join(f"{n} {min(v):.2f}–{max(v):.2f}" for n, v in results.items()
                                            if "RSS" not in n))
    print(f"ratio warm step / probe alone:  {med['warm step'] / alone['ppo_step']:5.2f}")
    print(f"ratio warm next step / probe alone:  {med['warm next step'] / alone['ppo_step']:5.2f}")
    print(f"ratio warm stages / probe alone: {med['warm stages'] / alone['compare_stages']:5.2f}")
    print(f"ratio warm step / in the app's process:  {med['warm step'] / med['in-app step']:5.2f}")
    print(f"ratio warm next step / in the app's process:  {med['warm next step'] / med['in-app next step']:5.2f}")


if __name__ == "__main__":
    main()
