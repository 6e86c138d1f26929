"""What the learner chose on the command line for a session: packs, topics, count, seed, language.

The CLI fills it in; the app, the home screen and the line-by-line mode read it. It lives
here, not in the CLI, so that the screens never import the command-line module.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from quizapp.locations import user_pack_dir

MODES = ("practice", "review", "drill", "exam")


@dataclass(frozen=True)
class Options:
    packs: tuple[Path, ...] = ()
    topics: tuple[str, ...] = ()
    count: int = 10
    seed: int | None = None
    lang: str | None = None  # the interface and question language; None: English, questions as packed
    user_packs: Path | None = field(default_factory=user_pack_dir)
