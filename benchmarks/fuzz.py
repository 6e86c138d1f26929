"""Fuzz the loader, the validator, the importers and the exporters with generated and mutated inputs.

    python benchmarks/fuzz.py [--packs 5000] [--imports 1000] [--seed 0] [--timeout 5] [--jobs 1]
                              [--save DIR] [--only pack:17]

Every input runs in a worker process (forked, address space capped at
--memory-limit MB so a runaway allocation fails instead of taking the machine
down) the way a user would meet it:

- a pack: `quizapp validate PATH` (which runs every calculated combination),
  then, when it loads, one drawn instance of each calculated question and an
  export to every format with `-o`;
- an importer input: `quizapp import FORMAT FILE -o OUT.yaml`.

Packs are mutations of the bundled packs and of generated packs (hostile
scalars in any field, huge integers, unbounded format specs and templates,
odd line breaks, invalid UTF-8, alias bombs, deep nesting, cut and shuffled
lines) plus the special files (/dev/null, FIFOs as packs, inside folder packs,
folders where files belong). Importer inputs are mutations of the test data
in tests/data/interchange and a few large Moodle XML text elements.

It prints how many inputs ran, how many raised (a traceback), how many took
longer than --timeout seconds (a hang: the worker is killed), how many killed
their worker, the peak memory of a worker, and for each kind of failure the
exception, where it was raised and up to three inputs, each with the
mutations that produced it. `--save DIR` writes every failing input there.
Exit status 1 when anything failed.
"""
from __future__ import annotations

import argparse
import io
import multiprocessing as mp
import os
import random
import resource
import shutil
import signal
import sys
import tempfile
import time
import traceback
import warnings
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run from a checkout without installing

from tests import hostile  # noqa: E402

PACKS = ROOT / "question_bank" / "packs"
INTERCHANGE = ROOT / "tests" / "data" / "interchange"
GROWTH_MB = 256  # a single input that grows the worker by more than this is listed


# --- inputs ---------------------------------------------------------------------------------------

@dataclass
class Case:
    kind: str  # "pack", "gift", "aiken", "moodle-xml"
    index: int
    path: str
    how: list[str] = field(default_factory=list)


def _seeds() -> dict[str, str]:
    """Single-file packs to mutate: the bundled ones (folder packs joined), a small generated one."""
    tour = (PACKS / "format-tour" / "pack.yaml").read_text(encoding="utf-8")
    extras = (PACKS / "format-tour" / "extras.yaml").read_text(encoding="utf-8")
    tour += "\n" + extras.split("questions:", 1)[1]
    header = (PACKS / "llm-foundations" / "pack.yaml").read_text(encoding="utf-8")
    calculated = (PACKS / "llm-foundations" / "calculated.yaml").read_text(encoding="utf-8")
    first_three = "\n  - id: ".join(calculated.split("\n  - id: ")[:4])
    return {"format-tour": tour, "calculated": header + "\n" + first_three,
            "mini": (ROOT / "tests" / "fixtures" / "mini.yaml").read_text(encoding="utf-8"),
            "generated": _generated_pack()}


def _generated_pack() -> str:
    return """format: 1
pack: {id: fuzz, title: "Fuzz", language: en, version: "1", authors: [a], description: d}
topics:
  - {id: t, title: T}
questions:
  - id: q1
    topic: t
    type: multiple
    difficulty: 2
    tags: [a, b]
    prompt: "Which?"
    choices:
      - {text: "A", correct: true, why: "a", pin: true}
      - {text: "B", correct: false, why: "b"}
    explanation: "e"
    x-note: {a: [1, 2.5, "x"]}
    live:
      - {probe: softmax, args: {scores: [1, 2], temperature: 1.0}}
      - {probe: pe_entry, args: {pos: 3, i: 1, d_model: 16}}
    translations:
      de: {prompt: "Welche?", choices: ["A", "B"], explanation: "E"}
  - id: q2
    topic: t
    type: calculated
    params: {x: [1, 2, 3], y: [0.5, 2], s: [a, b]}
    prompt: "x={x}, y={y:.2f}, s={s}"
    answer: {probe: scaled_softmax, args: {scores: [x, 1], d_k: y, power: 0.5}, field: weights.0, why: "{answer}"}
    distractors:
      - {param: x, why: "{value}"}
      - {value: 7, why: "seven"}
      - {probe: ratio_from_logprobs, args: {logp_new: -1, logp_old: -2}, field: ratio}
    format: "{:.3f}"
    explanation: "{answer} {x:>4}"
    live:
      - {probe: pe_entry, args: {pos: x, i: 0, d_model: 8}}
"""


def _special_packs(folder: Path) -> list[tuple[str, list[str]]]:
    """Paths that are not ordinary pack files."""
    folder.mkdir(parents=True)
    out: list[tuple[str, list[str]]] = [("/dev/null", ["/dev/null"])]
    fifo = folder / "fifo.yaml"
    os.mkfifo(fifo)
    out.append((str(fifo), ["a FIFO named *.yaml"]))
    in_folder = folder / "fifo-inside"
    in_folder.mkdir()
    (in_folder / "pack.yaml").write_text(_generated_pack(), encoding="utf-8")
    os.mkfifo(in_folder / "more.yaml")
    out.append((str(in_folder), ["a folder pack holding a FIFO named more.yaml"]))
    header_fifo = folder / "fifo-header"
    header_fifo.mkdir()
    os.mkfifo(header_fifo / "pack.yaml")
    out.append((str(header_fifo), ["a folder pack whose pack.yaml is a FIFO"]))
    search = folder / "search"
    search.mkdir()
    os.mkfifo(search / "stray.yaml")
    (search / "sub.yaml").mkdir()
    out.append((str(search), ["a folder of packs holding a FIFO and a folder named *.yaml"]))
    big = folder / "big.yaml"
    big.write_text(_generated_pack() + "x-pad: '" + "a" * 9_000_000 + "'\n", encoding="utf-8")
    out.append((str(big), ["a 9 MB pack"]))
    loop = folder / "loop.yaml"
    loop.symlink_to(loop)
    out.append((str(loop), ["a symlink to itself"]))
    return out


def _write(path: Path, text: str) -> None:
    path.write_bytes(text.encode("utf-8", "surrogateescape"))


def make_cases(folder: Path, packs: int, imports: int, seed: int) -> list[Case]:
    cases: list[Case] = []
    (folder / "packs").mkdir()
    (folder / "imports").mkdir()
    seeds = _seeds()
    specials = _special_packs(folder / "special")
    for i in range(packs):
        rng = random.Random(f"{seed}/pack/{i}")
        if i < len(specials):
            path, how = specials[i]
            cases.append(Case("pack", i, path, how))
            continue
        name = rng.choice(sorted(seeds))
        text, how = hostile.mutate_yaml(seeds[name], rng)
        path = folder / "packs" / f"{i}.yaml"
        _write(path, text)
        cases.append(Case("pack", i, str(path), [f"seed {name}"] + how))
    inputs = {"gift": ["llm-week3.gift", "unclosed-brace.gift"],
              "aiken": ["llm-quiz.aiken.txt", "missing-answer.aiken.txt"],
              "moodle-xml": ["moodle-export.xml"]}
    snippets = {"gift": hostile.GIFT_SNIPPETS, "aiken": hostile.AIKEN_SNIPPETS, "moodle-xml": hostile.XML_SNIPPETS}
    for i in range(imports):
        rng = random.Random(f"{seed}/import/{i}")
        fmt = ("gift", "aiken", "moodle-xml")[i % 3]
        name = rng.choice(inputs[fmt])
        text = (INTERCHANGE / name).read_text(encoding="utf-8")
        if fmt == "moodle-xml" and i % 100 == 2:  # a few long text elements: linear or not?
            size = rng.choice((200_000, 1_000_000, 3_000_000))
            lines = "a line of the question text\n" * (size // 28)  # many lines: the parser hands them over piecemeal
            text = text.replace("Which order do", lines + " Which order do", 1)
            how = [f"a text element of {size:,} characters in lines"]
        else:
            text, how = hostile.mutate_text(text, rng, snippets[fmt])
        path = folder / "imports" / f"{i}{Path(name).suffix}"
        _write(path, text)
        cases.append(Case(fmt, i, str(path), [f"seed {name}"] + how))
    return cases


# --- running one input (in the worker) -------------------------------------------------------------

def run_case(case: Case, out_dir: Path) -> None:
    """Raise when the app would show a traceback; return when it answered in one of its own ways."""
    from quizapp.instructor_cli import export_main, import_main
    from question_bank.validate import validate_main

    sink = io.StringIO()
    if case.kind != "pack":
        status = import_main([case.kind, case.path, "-o", str(out_dir / "imported.yaml"), "--force"], sink, sink)
        _check_status(status, sink)
        return
    status = validate_main([case.path], out=sink, err=sink)
    _check_status(status, sink)
    if status != 0:
        return
    from question_bank.calculated import CalculationError, instantiate
    from question_bank.loader import load_pack
    from question_bank.models import CalculatedQuestion

    pack = load_pack(case.path).pack
    if pack is None:
        return
    for n, q in enumerate(pack.questions):
        if isinstance(q, CalculatedQuestion):
            try:
                instantiate(q, random.Random(n))
            except CalculationError:
                pass
    for fmt in ("gift", "aiken", "moodle-xml", "anki"):
        _check_status(export_main([fmt, case.path, "-o", str(out_dir / f"export.{fmt}")], sink, sink), sink)


def _check_status(status: object, output: io.StringIO) -> None:
    if status not in (0, 1, 2):
        raise AssertionError(f"exit status {status!r}, expected 0, 1 or 2")


def _max_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _worker(conn, memory_limit_mb: int, out_dir: str) -> None:
    limit = memory_limit_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    sys.stdin = open(os.devnull)
    warnings.simplefilter("ignore")  # numpy's overflow warnings: the results are checked, not the noise
    while True:
        case = conn.recv()
        if case is None:
            return
        before = _max_rss_mb()
        start = time.perf_counter()
        try:
            run_case(case, Path(out_dir))
            error = None
        except BaseException as exc:  # noqa: BLE001 - every escape is a finding
            error = (type(exc).__name__, _where(exc), "".join(traceback.format_exception(exc))[-3000:])
        conn.send((error, time.perf_counter() - start, before, _max_rss_mb()))


def _where(exc: BaseException) -> str:
    """The innermost frame in our own code."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename.startswith(str(ROOT))
              and not any(part in f.filename for part in ("/benchmarks/", "/.venv/", "site-packages"))]
    if not frames:
        return "?"
    f = frames[-1]
    return f"{Path(f.filename).relative_to(ROOT)}:{f.lineno} ({f.name})"


def _vm_hwm_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


class Worker:
    def __init__(self, ctx, memory_limit_mb: int, out_dir: Path) -> None:
        self.conn, child = ctx.Pipe()
        self.process = ctx.Process(target=_worker, args=(child, memory_limit_mb, str(out_dir)), daemon=True)
        self.process.start()
        self.case: Case | None = None
        self.started = 0.0

    def kill(self) -> float:
        peak = _vm_hwm_mb(self.process.pid)
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.join()
        return peak


# --- the run ----------------------------------------------------------------------------------------

@dataclass
class Tally:
    inputs: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    tracebacks: dict[tuple[str, str], list[tuple[Case, str]]] = field(default_factory=lambda: defaultdict(list))
    hangs: list[Case] = field(default_factory=list)
    crashes: list[Case] = field(default_factory=list)
    growth: list[tuple[Case, float]] = field(default_factory=list)
    peak_mb: float = 0.0
    slowest: tuple[float, Case | None] = (0.0, None)


def run(cases: list[Case], jobs: int, timeout: float, memory_limit_mb: int, work: Path) -> Tally:
    ctx = mp.get_context("fork")
    # Import what the workers need once, before forking, so a fresh worker starts in milliseconds.
    import question_bank.calculated  # noqa: F401
    import question_bank.interchange.common  # noqa: F401
    import quizapp.instructor_cli  # noqa: F401
    from engine.probes import calculated, rl  # noqa: F401
    from question_bank.interchange import aiken, anki, gift, moodle_xml  # noqa: F401
    tally = Tally()
    queue = list(reversed(cases))
    workers: list[Worker] = []
    for n in range(jobs):
        out = work / f"out-{n}"
        out.mkdir()
        workers.append(Worker(ctx, memory_limit_mb, out))
    while queue or any(w.case for w in workers):
        for n, w in enumerate(workers):
            if w.case is None and queue:
                w.case = queue.pop()
                w.started = time.monotonic()
                tally.inputs[w.case.kind] += 1
                w.conn.send(w.case)
        ready = mp.connection.wait([w.conn for w in workers if w.case], timeout=0.2)
        for n, w in enumerate(workers):
            case = w.case
            if case is None:
                continue
            if w.conn in ready:
                try:
                    error, seconds, before, after = w.conn.recv()
                except (EOFError, OSError):
                    tally.crashes.append(case)
                    tally.peak_mb = max(tally.peak_mb, w.kill())
                    workers[n] = Worker(ctx, memory_limit_mb, work / f"out-{n}")
                    continue
                w.case = None
                tally.peak_mb = max(tally.peak_mb, after)
                if after - before > GROWTH_MB:
                    tally.growth.append((case, after - before))
                if seconds > tally.slowest[0]:
                    tally.slowest = (seconds, case)
                if error is not None:
                    kind, where, text = error
                    tally.tracebacks[(kind, where)].append((case, text))
            elif time.monotonic() - w.started > timeout:
                tally.hangs.append(case)
                tally.peak_mb = max(tally.peak_mb, w.kill())
                workers[n] = Worker(ctx, memory_limit_mb, work / f"out-{n}")
    for w in workers:
        w.conn.send(None)
        w.process.join(5)
    return tally


def report(tally: Tally, elapsed: float, timeout: float, save: Path | None) -> int:
    total = sum(tally.inputs.values())
    n_tb = sum(len(v) for v in tally.tracebacks.values())
    kinds = ", ".join(f"{k} {v}" for k, v in sorted(tally.inputs.items()))
    print(f"inputs: {total:,} ({kinds}) in {elapsed:.0f} s")
    print(f"tracebacks: {n_tb}")
    print(f"hangs (over {timeout:g} s): {len(tally.hangs)}")
    print(f"crashes (worker died): {len(tally.crashes)}")
    print(f"peak memory: {tally.peak_mb:,.0f} MB (largest worker resident set)")
    if tally.slowest[1] is not None:
        print(f"slowest input that finished: {tally.slowest[0]:.2f} s ({_name(tally.slowest[1])})")
    for (kind, where), found in sorted(tally.tracebacks.items(), key=lambda kv: -len(kv[1])):
        print(f"\n{kind} at {where}: {len(found)} input{'s' if len(found) != 1 else ''}")
        for case, _ in found[:3]:
            print(f"  {_name(case)}: {'; '.join(case.how)}")
        print("  " + found[0][1].strip().splitlines()[-1][:300])
    for title, listed in (("hangs", tally.hangs), ("crashes", tally.crashes)):
        if listed:
            print(f"\n{title}:")
            for case in listed[:50]:
                print(f"  {_name(case)}: {'; '.join(case.how)}")
    for case, grew in tally.growth[:10]:
        print(f"\nmemory: {_name(case)} grew the worker by {grew:,.0f} MB: {'; '.join(case.how)}")
    if save is not None:
        save.mkdir(parents=True, exist_ok=True)
        failing = [c for found in tally.tracebacks.values() for c, _ in found] + tally.hangs + tally.crashes
        for case in failing:
            src = Path(case.path)
            if src.is_file() and not src.is_symlink() and src.stat().st_size < 10_000_000:
                shutil.copy(src, save / f"{case.kind}-{case.index}{src.suffix}")
        print(f"\n{len(failing)} failing inputs copied to {save}")
    return 1 if n_tb or tally.hangs or tally.crashes else 0


def _name(case: Case) -> str:
    return f"{case.kind}:{case.index}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--packs", type=int, default=5000, help="generated and mutated packs (default 5000)")
    parser.add_argument("--imports", type=int, default=1000, help="importer inputs (default 1000)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--timeout", type=float, default=5.0, help="seconds before an input counts as a hang")
    parser.add_argument("--jobs", type=int, default=1, help="worker processes (default 1)")
    parser.add_argument("--memory-limit", type=int, default=3072, metavar="MB",
                        help="address-space cap per worker (default 3072)")
    parser.add_argument("--save", type=Path, help="copy failing inputs to this folder")
    parser.add_argument("--only", metavar="KIND:N", help="run one input, e.g. pack:17 or gift:4, and keep it")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="quizapp-fuzz-") as tmp:
        work = Path(tmp)
        cases = make_cases(work, args.packs, args.imports, args.seed)
        if args.only:
            kind, _, index = args.only.partition(":")
            cases = [c for c in cases if (c.kind == kind or (kind == "import" and c.kind != "pack"))
                     and c.index == int(index)]
            for c in cases:
                kept = Path(tempfile.gettempdir()) / f"fuzz-{c.kind}-{c.index}{Path(c.path).suffix}"
                if Path(c.path).is_file():
                    shutil.copy(c.path, kept)
                print(f"{_name(c)}: {'; '.join(c.how)} (input kept as {kept})")
        tally = run(cases, args.jobs, args.timeout, args.memory_limit, work)
        return report(tally, time.perf_counter() - start, args.timeout, args.save)


if __name__ == "__main__":
    sys.exit(main())
