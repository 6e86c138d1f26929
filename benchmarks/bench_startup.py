"""Start-up as a person sees it: from starting the program to its first screen in a real terminal.

    python benchmarks/bench_startup.py [--runs 7] [--instructions]

Each run starts a fresh interpreter in a pseudo-terminal (100×32) and stops the
clock when the screen shows the expected text (benchmarks/terminal.py), so the
figures include the interpreter, the imports, loading the packs, opening the
progress database and Textual's first paint. In one run of this script it measures:

- a bare Textual app that shows one Static: the baseline;
- the home screen's widgets in a Textual app of their own, with the same styles and
  fixed texts and none of quizapp's code (no arguments, packs, progress or translations):
  what Textual itself needs to show that screen, so that what quizapp's start adds
  (`home / same screen`) shows apart from what the screen's widgets cost;
- quizapp to its home screen, bundled packs only, pack cache warm (an ordinary start);
- quizapp with a generated 10,000-question pack (`--pack`), pack cache cold and warm;
- Enter on the home screen → the first question on screen, pressed as soon as the
  home screen shows and again half a second later (as a person would);
- resident memory (RSS) at the home screen;
- with --instructions, the instructions each start executes to its first screen
  (valgrind's callgrind, headless, no terminal output): the same on a busy machine.

Each run has a home folder of its own (HOME, so the data and the pack cache live
where platformdirs puts them), copied from one prepared in advance: the progress
database exists and the pack cache is warm, as on any later start; "cold" removes
the cache folder.

The machine is shared, so absolute times drift: the kinds of run are interleaved
(one of each per round), medians are taken, and the goals are ratios to the bare
app measured in the same rounds. The load average is printed with the results.
Goals (issue 15): home ≤ 1.2× bare; 10 k pack with a warm cache ≤ 1.5× bundled
only; Enter → first question ≤ 100 ms; home under 60 MB RSS.
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_pack_loading import write_pack  # noqa: E402
from terminal import Terminal, load_average  # noqa: E402

BARE = """
from textual.app import App
from textual.widgets import Static

class Bare(App):
    def compose(self):
        yield Static("bare app ready")

Bare().run()
"""
# The home screen's widget tree (quizapp/screens/home.py) in stock Textual widgets, with quizapp's own style
# files and the texts the course pack shows (SAME_TEXTS, written in front of it with the styles; prepare()
# checks that quizapp's home screen still shows them); a Static stands for the one-line title bar and key footer.
SAME_TEXTS = {
    "TOPICS": [("Birds-eye view of the architecture  (8)", "architecture"), ("Tokenization  (9)", "tokenization"),
               ("Embeddings  (7)", "embeddings"), ("Positional encoding  (11)", "positional-encoding"),
               ("Attention and the dot product  (17)", "attention"),
               ("Training stages: from pre-training to RLHF  (15)", "training-stages"),
               ("Basics of RL and PPO  (11)", "rl-basics"), ("Terms of the PPO objective  (41)", "ppo-objective")],
    "PACKS": ["Format tour  (5)", "LLM Foundations  (119)"],
    "INFO": "Exam preparation for LLM fundamentals: the Transformer's layers up to multi-head attention, the dot "
            "product and attention scores, training from pre-training to RLHF, the basics of RL and every term of "
            "the PPO objective.\nv1.0.0  ·  EN  ·  translations: de  ·  Course team",
    "PLAN": "[b]10[/b] of 119 questions (+/− to change) from 8 topics  ·  [b]Enter[/b] starts practice",
}
SAME_SCREEN = '''
from textual.app import App
from textual.containers import Horizontal, Vertical
from textual.widgets import OptionList, SelectionList, Static


class SameScreen(App):
    CSS = STYLES + """
    #title { dock: top; height: 1; background: $panel; }
    #footer { dock: bottom; height: 1; background: $footer-background; }
    """
    AUTO_FOCUS = "#topics"

    def compose(self):
        yield Static(" ⭘      quizapp — LLM foundations exam prep", id="title")
        with Horizontal(id="columns"):
            with Vertical(id="packs-column"):
                yield Static("Packs  (tab switches lists)", id="packs-title", classes="section-title")
                yield OptionList(*PACKS, id="packs")
                yield Static("", id="broken")
                yield Static(INFO, id="pack-info")
            with Vertical(id="topics-column"):
                yield Static("Topics  (space toggles, a selects all)", id="topics-title", classes="section-title")
                yield SelectionList[str](*[(title, value, True) for title, value in TOPICS], id="topics")
        yield Static(id="due")
        yield Static(id="readiness")
        yield Static(PLAN, id="plan")
        yield Static(" ⏎ Practice  e Exam  r Review  w Weak  s Stats  L Labs  ^q Quit", id="footer")

    def on_mount(self):
        self.query_one("#packs", OptionList).highlighted = 1
'''
STYLE_FILES = [Path(__file__).resolve().parents[1] / "quizapp" / name for name in ("app.tcss", "screens/home.tcss")]

# Headless, for --instructions: run until the first frame that shows the marker has been made (the bytes
# a terminal would get, built as for one), then end the process there (os._exit), so that neither the
# app's shutdown nor work put off until after the first paint is counted.
HEADLESS = """
import os
import re
import sys
from textual.app import App
from textual._compositor import CompositorUpdate

MARKER = sys.argv[1]
ESCAPE = re.compile(r"\\x1b\\[[0-?]*[ -/]*[@-~]")
display = App._display


def _display(self, screen, renderable):
    if isinstance(renderable, CompositorUpdate) and MARKER in ESCAPE.sub("", renderable.render_segments(self.console)):
        os._exit(0)
    display(self, screen, renderable)


App._display = _display
# The switch interval is wall-clock time, and valgrind runs some 50 times slower: quizapp's 1 ms would
# switch threads far more often per instruction than in a real run (some 30 M more). Counted without it.
sys.setswitchinterval = lambda interval: None
if sys.argv[2] == "bare":
    from textual.widgets import Static

    class Bare(App):
        def compose(self):
            yield Static("bare app ready")

    Bare().run(headless=True, size=(100, 32))
elif sys.argv[2] == "same screen":
    from same_screen import SameScreen  # written beside this script

    SameScreen().run(headless=True, size=(100, 32))
else:
    import quizapp.app

    # Its 0.15 s is some 3 ms of a run under valgrind: the work put off until after the first paint
    # would start before it.
    quizapp.app.QuizApp.FIRST_FRAME_GRACE = 3600
    quizapp.app.QuizApp.run = lambda self: App.run(self, headless=True, size=(100, 32))
    from quizapp.cli import main
    main(sys.argv[3:])
"""
HOME = "Enter starts practice"  # the plan line, written when the home screen has its packs and topics
QUESTION = "question 1/"  # the progress line of the question screen


def environment(home: Path) -> dict[str, str]:
    """A learner whose home folder is `home`: data and pack cache where platformdirs puts them.

    Python may write compiled modules (`__pycache__`, as an installed app has them) whatever the
    caller's environment says: with PYTHONDONTWRITEBYTECODE set, every start compiled quizapp's modules
    again (some 40 ms), which the bare app never does. (PYTHONPYCACHEPREFIX is not used: it made every
    start, the bare app's too, some 50 ms slower.)"""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("QUIZAPP_", "XDG_", "PYTHONPYCACHEPREFIX")) and k != "PYTHONDONTWRITEBYTECODE"}
    env.update(TERM="xterm-256color", COLORTERM="truecolor", HOME=str(home))
    return env  # QUIZAPP_NO_WARM is dropped too: the app as it ships


class Bench:
    def __init__(self, root: Path, pack: Path) -> None:
        self.root, self.pack = root, pack
        self.template = root / "home-template"  # progress database and pack cache exist, as on any later start
        self.runs = 0
        self.bare_script = root / "bare.py"
        self.bare_script.write_text(BARE, encoding="utf-8")
        styles = "\n".join(path.read_text(encoding="utf-8") for path in STYLE_FILES)
        constants = "".join(f"{name} = {value!r}\n" for name, value in {"STYLES": styles, **SAME_TEXTS}.items())
        # A module, compiled once as quizapp's are, and a script that runs it.
        (root / "same_screen.py").write_text(constants + SAME_SCREEN, encoding="utf-8")
        self.same_script = root / "run_same_screen.py"
        self.same_script.write_text("from same_screen import SameScreen\n\nSameScreen().run()\n", encoding="utf-8")

    def fresh_home(self, cache: bool = True) -> Path:
        """A copy of the template home: a run that starts a session never leaves one for the next to resume."""
        self.runs += 1
        home = self.root / f"home-{self.runs}"
        shutil.copytree(self.template, home)
        if not cache:
            shutil.rmtree(home / ".cache")
        return home

    def quizapp(self, *args: str, cache: bool = True) -> Terminal:
        env = environment(self.fresh_home(cache))
        return Terminal([sys.executable, "-m", "quizapp", "--seed", "1", *args], env)

    def prepare(self) -> None:
        self.template.mkdir()
        for args in ((), ("--pack", str(self.pack))):  # the database, the bytecode, the warm pack cache
            with Terminal([sys.executable, "-m", "quizapp", *args], environment(self.template)) as term:
                term.since_start(HOME, timeout=120)
                if not args:
                    check_same_texts(term.text())
        if not (self.template / ".cache").is_dir():  # a quizapp without the pack cache (to compare with)
            print("note: no pack cache was written; cold and warm starts are the same")
            (self.template / ".cache").mkdir()
        self.bare()
        self.same_screen()

    def bare(self) -> float:
        with Terminal([sys.executable, str(self.bare_script)], environment(self.template)) as t:
            return t.since_start("bare app ready")

    def same_screen(self) -> float:
        with Terminal([sys.executable, str(self.same_script)], environment(self.template)) as t:
            return t.since_start(HOME)

    def home(self, results: dict[str, list[float]]) -> None:
        with self.quizapp() as term:
            results["home"].append(term.since_start(HOME))
            results["home RSS"].append(term.rss_mb())
            results["enter at once"].append(term.press("\r", QUESTION))
        with self.quizapp() as term:
            term.since_start(HOME)
            term.drain(0.5)
            results["enter after 0.5 s"].append(term.press("\r", QUESTION))

    def big(self, results: dict[str, list[float]]) -> None:
        with self.quizapp("--pack", str(self.pack), cache=False) as term:
            results["10k cold"].append(term.since_start(HOME))
        with self.quizapp("--pack", str(self.pack)) as term:
            results["10k warm"].append(term.since_start(HOME))
            results["10k RSS"].append(term.rss_mb())


def check_same_texts(shown: str) -> None:
    """The same screen must show what quizapp's home screen shows: stop when the course pack has changed."""
    texts = [title for title, _ in SAME_TEXTS["TOPICS"]] + SAME_TEXTS["PACKS"]
    texts += [SAME_TEXTS["INFO"].split(":")[0], re.sub(r"\[/?b\]", "", SAME_TEXTS["PLAN"])]
    missing = [text for text in texts if text not in shown]
    if missing:
        raise SystemExit(f"quizapp's home screen no longer shows {missing!r}: update SAME_TEXTS in {__file__}")


def instructions(bench: Bench) -> list[str]:
    """Instructions executed to the first screen (valgrind's callgrind): the same on a busy machine."""
    script = bench.root / "headless.py"
    script.write_text(HEADLESS, encoding="utf-8")
    counts = {}
    for name, args in (("bare", ["bare app ready", "bare"]), ("same screen", [HOME, "same screen"]),
                       ("home", [HOME, "quizapp", "--tui", "--seed", "1"]),
                       ("10k warm", [HOME, "quizapp", "--tui", "--seed", "1", "--pack", str(bench.pack)])):
        env = environment(bench.template)
        env["PYTHONHASHSEED"] = "0"
        run = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", sys.executable,
                              str(script), *args], env=env, capture_output=True, text=True, check=True)
        counts[name] = int(re.search(r"Collected : (\d+)", run.stderr).group(1))
    lines = ["instructions to the first screen (headless, callgrind, so no terminal output; load-independent):"]
    lines += [f"  {name:11s} {count / 1e6:8.0f} M" for name, count in counts.items()]
    lines.append(f"  ratio home / bare {counts['home'] / counts['bare']:.2f}, same screen / bare "
                 f"{counts['same screen'] / counts['bare']:.2f}, home / same screen "
                 f"{counts['home'] / counts['same screen']:.2f}, 10k warm / home {counts['10k warm'] / counts['home']:.2f}")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="rounds; each round runs every kind once")
    parser.add_argument("--questions", type=int, default=10_000)
    parser.add_argument("--instructions", action="store_true",
                        help="also count the instructions each start executes (needs valgrind; minutes)")
    args = parser.parse_args()
    names = ["bare", "same screen", "home", "enter at once", "enter after 0.5 s", "10k cold", "10k warm", "home RSS", "10k RSS"]
    results: dict[str, list[float]] = {name: [] for name in names}
    load_before = load_average()
    with tempfile.TemporaryDirectory(prefix="quizapp-bench-") as folder:
        root = Path(folder)
        pack = root / "bench.yaml"
        write_pack(pack, args.questions)
        bench = Bench(root, pack)
        bench.prepare()
        for _ in range(args.runs):
            results["bare"].append(bench.bare())
            results["same screen"].append(bench.same_screen())
            bench.home(results)
            bench.big(results)
            results["same screen"].append(bench.same_screen())
            results["bare"].append(bench.bare())
        counted = instructions(bench) if args.instructions else []
    med = {name: statistics.median(values) for name, values in results.items()}
    print(f"{args.runs} rounds; load average before {load_before}, after {load_average()} (2 cores)")
    print(f"bare Textual app, one Static, to first paint:  {med['bare'] * 1000:7.0f} ms")
    print(f"the home screen's widgets in stock Textual:    {med['same screen'] * 1000:7.0f} ms")
    print(f"quizapp to home (bundled packs, cache warm):   {med['home'] * 1000:7.0f} ms")
    print(f"quizapp + {args.questions:,}-question pack, cache cold: {med['10k cold'] * 1000:7.0f} ms")
    print(f"quizapp + {args.questions:,}-question pack, cache warm: {med['10k warm'] * 1000:7.0f} ms")
    print(f"Enter → first question, at once:               {med['enter at once'] * 1000:7.0f} ms")
    print(f"Enter → first question, 0.5 s after home:      {med['enter after 0.5 s'] * 1000:7.0f} ms   (goal ≤ 100)")
    print(f"RSS at home: bundled packs {med['home RSS']:.0f} MB (goal < 60), with the big pack {med['10k RSS']:.0f} MB")
    print("spread (min–max, ms): " + "; ".join(
        f"{n} {min(v) * 1000:.0f}–{max(v) * 1000:.0f}" for n, v in results.items() if "RSS" not in n))
    for line in counted:
        print(line)
    print(f"ratio home / bare:             {med['home'] / med['bare']:5.2f}  (goal ≤ 1.2)")
    print(f"ratio same screen / bare:      {med['same screen'] / med['bare']:5.2f}  (a stock Textual app showing that screen)")
    print(f"ratio home / same screen:      {med['home'] / med['same screen']:5.2f}  (what quizapp's start adds to it)")
    print(f"ratio 10k warm / home:         {med['10k warm'] / med['home']:5.2f}  (goal ≤ 1.5)")
    print(f"ratio 10k cold / 10k warm:     {med['10k cold'] / med['10k warm']:5.2f}")


if __name__ == "__main__":
    main()
