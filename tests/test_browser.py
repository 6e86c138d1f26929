"""`quizapp serve` in headless Chromium: the home screen, Enter, an answer, the verdict on the page.

Needs Debian's chromium and the playwright package (`.ci/run` installs both); deselected by
default, run with `pytest -m browser`. The page is read from xterm.js's own screen buffer:
an init script catches the Terminal object when textual-serve's client stores it.
Only requests to this machine are let through (the page also asks for a web font).
"""
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from question_bank.loader import load_pack
from quizapp.progress.db import open_store

pytestmark = pytest.mark.browser

MINI = Path(__file__).parent / "fixtures" / "mini.yaml"
CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
CATCH_TERMINAL = """
Object.defineProperty(Object.prototype, "terminal", {
  configurable: true,
  set(value) {
    window.__terminal = value;
    Object.defineProperty(this, "terminal", {value, writable: true, configurable: true, enumerable: true});
  },
});
"""
SCREEN = """() => {
  const t = window.__terminal;
  if (!t) return "";
  const b = t.buffer.active, lines = [];
  for (let y = 0; y < b.length; y++) lines.push(b.getLine(y).translateToString(true));
  return lines.join("\\n");
}"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def served(tmp_path):
    port = free_port()
    env = {**os.environ, "QUIZAPP_HOME": str(tmp_path / "home")}
    proc = subprocess.Popen([sys.executable, "-m", "quizapp", "serve", "--port", str(port), "--pack", str(MINI),
                             "--topic", "attention", "--seed", "1", "--lang", "en"],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env, text=True)
    banner = [proc.stdout.readline(), proc.stdout.readline()]
    try:
        assert banner[0].strip() == f"quizapp is served at http://127.0.0.1:{port}", banner
        assert banner[1].startswith("Warning: anyone who can reach this address and port can use quizapp as you")
        yield f"http://127.0.0.1:{port}", tmp_path / "home"
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_a_question_answered_in_chromium_shows_its_verdict_and_is_recorded(served, tmp_path):
    from playwright.sync_api import sync_playwright

    url, home = served
    correct = next(c.text for q in load_pack(MINI).pack.questions if q.id == "dot-product" for c in q.choices
                   if c.correct)
    started = time.monotonic()
    with sync_playwright() as p:
        context = p.chromium.launch_persistent_context(str(tmp_path / "profile"), executable_path=CHROMIUM,
                                                       headless=True, args=FLAGS, viewport={"width": 1100,
                                                                                            "height": 700})
        try:
            context.route(re.compile(r"^(?!https?://127\.0\.0\.1[:/]|ws://127\.0\.0\.1[:/]).*"),
                          lambda route: route.abort())
            page = context.new_page()
            page.add_init_script(CATCH_TERMINAL)
            page.goto(url)

            def screen_with(text: str) -> str:
                page.wait_for_function(f"() => ({SCREEN})().includes({text!r})", timeout=60_000)
                return page.evaluate(SCREEN)

            home_screen = screen_with("Practice")
            assert "Mini pack" in home_screen
            page.focus(".xterm-helper-textarea")
            page.keyboard.press("Enter")
            question = screen_with("question 1/1")
            letter = next(m.group(1) for m in re.finditer(r"\b([A-H])  (.+)", question)
                          if correct.startswith(m.group(2).strip()[:30]))
            page.keyboard.press(letter.lower())
            shown = screen_with("Right")
            verdict = next(line.strip() for line in shown.splitlines() if "Right" in line)
            print(f"\nbrowser: {verdict!r} after {time.monotonic() - started:.1f} s")
        finally:
            context.close()
    assert verdict.startswith(f"✓ Right: {letter}.")
    store = open_store(home / "progress.sqlite3")
    try:
        assert [(a.question_key, a.correct) for a in store.answers()] == [("mini/dot-product", True)]
    finally:
        store.close()
