"""The report's charts as inline SVG, drawn with matplotlib.

matplotlib's SVG backend writes plain vector markup with no script and no web font, so the
charts sit inside the HTML file itself and the page works offline and prints sharply. It is
imported here only, when an HTML report is asked for, never on the app's start-up path.
Figures are built with matplotlib.figure.Figure (no pyplot: no global state, no GUI backend).
"""
from __future__ import annotations

import io
import re

from question_bank.numbers import localize_number
from quizapp.i18n import _, language
from quizapp.results.analysis import TOO_EASY, TOO_HARD, WEAK, ItemStats

COLOURS = {"serious": "#c0392b", "warning": "#d68910", "fine": "#2e86c1"}
MAX_LABELS = 30  # question ids written next to flagged points; more would overlap
_PROLOGUE = re.compile(r"^.*?(?=<svg)", re.DOTALL)


def _ticks_in_language(figure) -> None:
    """matplotlib writes 0.2 on its axes; in German the ticks read 0,2 like every other number of the report."""
    from matplotlib.ticker import Formatter

    lang = language()

    class InLanguage(Formatter):
        def __init__(self, inner: Formatter) -> None:
            self.inner = inner

        def __call__(self, x, pos=None) -> str:
            return localize_number(self.inner(x, pos), lang)

        def format_ticks(self, values) -> list[str]:
            return [localize_number(text, lang) for text in self.inner.format_ticks(values)]

    for ax in figure.axes:
        for axis in (ax.xaxis, ax.yaxis):
            axis.set_major_formatter(InLanguage(axis.get_major_formatter()))


def _svg(figure) -> str:
    import matplotlib

    _ticks_in_language(figure)
    buffer = io.StringIO()
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "quizapp-report"}):
        figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    return _PROLOGUE.sub("", buffer.getvalue(), count=1)  # the XML declaration and doctype do not belong inline


def _kind(item: ItemStats) -> str:
    if any(f.kind in ("negative", "key-beaten") for f in item.flags):
        return "serious"
    return "warning" if any(f.kind != "few" for f in item.flags) else "fine"


def scatter(items: list[ItemStats]) -> str:
    """Facility against discrimination, one point per question, flagged ones coloured and named."""
    from matplotlib.figure import Figure

    figure = Figure(figsize=(7.5, 4.6), layout="constrained")
    ax = figure.add_subplot()
    ax.axvspan(0, TOO_HARD, color="#eeeeee", zorder=0)
    ax.axvspan(TOO_EASY, 1, color="#eeeeee", zorder=0)
    ax.axhspan(-1, WEAK, color="#f6efe3", zorder=0)
    ax.axhline(0, color="#999999", linewidth=0.8)
    shown = [item for item in items if item.point_biserial is not None]
    for kind, label in (("fine", _("no flag")), ("warning", _("flagged")), ("serious", _("negative or key beaten"))):
        mine = [item for item in shown if _kind(item) == kind]
        if mine:
            ax.scatter([i.facility for i in mine], [i.point_biserial for i in mine], s=22, color=COLOURS[kind],
                       label=label, zorder=3)
    for item in [i for i in shown if _kind(i) != "fine"][:MAX_LABELS]:
        ax.annotate(item.question, (item.facility, item.point_biserial), fontsize=7, xytext=(4, 3),
                    textcoords="offset points")
    low = min([i.point_biserial for i in shown] + [-0.2])
    ax.set_xlim(0, 1)
    ax.set_ylim(max(-1.0, low - 0.1), 1)
    ax.set_xlabel(_("facility p (share correct)"))
    ax.set_ylabel(_("discrimination r (point-biserial)"))
    ax.set_title(_("Facility against discrimination; shaded: outside the usual bounds"), fontsize=10)
    if shown:
        figure.legend(loc="outside lower center", fontsize=8, frameon=False, ncols=3)
    return _svg(figure)


def distractor_bars(item: ItemStats) -> str:
    """Share choosing each choice: all learners, the upper and the lower 27 %; the key marked."""
    from matplotlib.figure import Figure

    figure = Figure(figsize=(5.0, 2.6))
    figure.subplots_adjust(left=0.12, right=0.98, top=0.88, bottom=0.12)
    ax = figure.add_subplot()
    letters = [c.letter + (" ✓" if c.key else "") for c in item.choices]
    positions = range(len(item.choices))
    width = 0.27
    series = ((_("all"), [c.share for c in item.choices], "#7f8c8d"),
              (_("upper 27 %"), [c.upper or 0.0 for c in item.choices], "#27ae60"),
              (_("lower 27 %"), [c.lower or 0.0 for c in item.choices], "#c0392b"))
    for offset, (label, values, colour) in zip((-width, 0, width), series):
        ax.bar([p + offset for p in positions], values, width, label=label, color=colour)
    ax.set_xticks(list(positions), letters)
    ax.set_ylim(0, 1.15)  # room for the legend above a bar of 100 %
    ax.set_yticks([0, 0.2, 0.4, 0.6, 0.8, 1.0])
    ax.set_ylabel(_("share choosing"))
    ax.legend(fontsize=7, frameon=False, ncols=3, loc="upper center")
    ax.set_title(item.question, fontsize=9)
    return _svg(figure)
