"""The labs: screens that run engine probes and draw their numbers.

Importing this package is cheap: each lab's module (and its widgets) is
imported when the lab opens, and no lab imports torch; probes import what
they need inside a worker thread. The list of labs is in `catalog`.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Sequence

from question_bank.models import LiveLink
from quizapp.labs.catalog import LABS, PROBE_LAB, LabInfo, lab_class, lab_for_probe, lab_info, open_lab

if TYPE_CHECKING:
    from textual.screen import Screen

__all__ = ["LABS", "PROBE_LAB", "LabInfo", "lab_class", "lab_for_probe", "lab_info", "labs_menu", "open_lab",
           "open_lab_for"]


def open_lab_for(links: Sequence[LiveLink], index: int = 0) -> "Screen":
    """The lab for a question's live blocks, prefilled with the first (or `index`-th) block's arguments.

    With no block the learner gets the labs menu; a block whose probe no lab shows opens the
    first block that has one.
    """
    links = tuple(links)
    order = [index, *(i for i in range(len(links)) if i != index)] if links else []
    for i in order:
        if 0 <= i < len(links) and links[i].probe in PROBE_LAB:
            link = links[i]
            return open_lab(PROBE_LAB[link.probe], link.probe, dict(link.args), links, i)
    from quizapp.labs.menu import LabsMenuScreen
    return LabsMenuScreen()


def labs_menu() -> "Screen":
    from quizapp.labs.menu import LabsMenuScreen
    return LabsMenuScreen()
