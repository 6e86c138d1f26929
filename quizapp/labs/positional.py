"""Positional encoding lab: the sinusoidal PE matrix and PE·PEᵀ, the similarity of positions.

Probe: positional_encoding.
"""
from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Input, Label, Static

from quizapp.labs.base import LabScreen
from quizapp.i18n import N_, _, num
from quizapp.widgets.heatmap import Heatmap
from quizapp.widgets.number import NumberInput

SPARKS = "▁▂▃▄▅▆▇█"


def sparkline(values: list[float]) -> str:
    lo, hi = min(values), max(values)
    span = hi - lo or 1.0
    return "".join(SPARKS[round((v - lo) / span * (len(SPARKS) - 1))] for v in values)


class PositionalLab(LabScreen):
    CSS_PATH = ["base.tcss", "positional.tcss"]
    WIDGET_CLASSES = LabScreen.WIDGET_CLASSES + (NumberInput, Heatmap)
    LAB_TITLE = N_("Positional encoding")
    HINT = N_("↑/↓ in a field changes it; Tab to a heatmap, then ↑/↓ picks a position (pos).")
    BINDINGS = [Binding("tab", "next_field", N_("Next field"))]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.result: dict | None = None
        self.position = 0

    def compose_lab(self) -> ComposeResult:
        with Horizontal(classes="field-row"):
            yield Label(_("positions"), classes="field-label")
            yield NumberInput(16, step=1, lo=1, hi=512, integer=True, id="length", classes="number")
            yield Label("d_model", classes="field-label")
            yield NumberInput(16, step=2, lo=2, hi=512, integer=True, id="d_model", classes="number")
            yield Label(_("entry: pos"), classes="field-label")
            yield NumberInput(0, step=1, lo=0, hi=511, integer=True, id="pos", classes="number")
            yield Label("i", classes="field-label")
            yield NumberInput(0, step=1, lo=0, hi=255, integer=True, id="i", classes="number")
        yield Static(id="formula", classes="info")
        yield Static(id="entry", classes="info")
        with Horizontal(id="maps"):
            with Vertical(id="pe-col"):
                yield Heatmap(diverging=True, legend_label=_("PE (pos × dim)"), id="pe")
            with Vertical(id="sim-col"):
                yield Heatmap(legend_label="PE·PE (pos × pos)", id="sim")
        yield Static(id="row-info", classes="info")

    def start(self) -> None:
        if self.probe == "pe_entry" and "pos" in self.initial:  # show enough positions to include pos
            self.initial.setdefault("length", max(16, int(self.initial["pos"]) + 1))
        for name in ("length", "d_model", "pos", "i"):
            if name in self.initial:
                self.fill(f"#{name}", self.initial[name])
        self.query_one("#length", NumberInput).focus()
        self.compute()

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id in ("pos", "i"):
            self.debounce("entry", self.compute_entry, 0.1)
        else:
            self.debounce("fields", self.compute)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id in ("pos", "i"):
            self.compute_entry()
        else:
            self.compute()

    def compute_entry(self) -> None:
        args = {"pos": self.query_one("#pos", Input).value.strip(), "i": self.query_one("#i", Input).value.strip(),
                "d_model": self.query_one("#d_model", Input).value.strip()}
        self.run_probe("pe_entry", args, self.show_entry, group="entry",
                       on_error=lambda _: self.query_one("#entry", Static).update(""))
        pos = self.query_one("#pos", NumberInput).number
        if pos is not None and self.result is not None and pos < self.result["length"]:
            self.position = int(pos)
            for heatmap in self.query(Heatmap):
                heatmap.move_cursor(self.position, notify=False)
            self.show_row()

    def show_entry(self, result: dict) -> None:
        p, i, d = result["pos"], result["i"], result["d_model"]
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append(f"PE[{p},{2 * i}] = sin({num(result['angle'], '.4g')}) = {num(result['sin'], '.4f')}", style="bold")
        text.append("   ")
        text.append(f"PE[{p},{2 * i + 1}] = cos({num(result['angle'], '.4g')}) = {num(result['cos'], '.4f')}",
                    style="bold")
        text.append("   " + _("angle = pos·ω, ω = 10000^(−{k}/{d}) = {frequency}").format(
            k=2 * i, d=d, frequency=num(result["frequency"], ".4g")), style="dim")
        self.query_one("#entry", Static).update(text)

    def compute(self) -> None:
        args = {"length": self.query_one("#length", Input).value.strip(),
                "d_model": self.query_one("#d_model", Input).value.strip()}
        self.run_probe("positional_encoding", args, self.show, on_error=lambda _: self.clear())

    def clear(self) -> None:
        self.result = None
        for heatmap in self.query(Heatmap):
            heatmap.clear()
        self.query_one("#row-info", Static).update("")

    def show(self, result: dict) -> None:
        self.result = result
        n, d = result["length"], result["d_model"]
        self.position = min(self.position, n - 1)
        formula = result["formula"]
        if len(formula) + 2 > self.query_one("#formula").size.width:  # one line on narrow screens
            formula = formula[: formula.index("), ") + 1].replace(" / ", "/") + ",  " + _("PE[pos, 2i+1] = cos(same)")
        self.query_one("#formula", Static).update(Text(formula, style="bold"))
        room = self.query_one("#maps").size.width // 2
        positions = [str(p) for p in range(n)]
        pe = self.query_one("#pe", Heatmap)
        pe.cell_width = 2 if len(str(n)) + 4 + 2 * d <= room else 1
        pe.set_data(result["encoding"], positions, [str(i) for i in range(d)], vmin=-1.0, vmax=1.0,
                    cursor_row=self.position)
        sim = self.query_one("#sim", Heatmap)
        sim.cell_width = 2 if len(str(n)) + 4 + 2 * n <= room else 1
        sim.set_data(result["similarity"], positions, positions, cursor_row=self.position)
        self.show_row()
        self.compute_entry()

    def show_row(self) -> None:
        result = self.result
        if result is None:
            return
        p = self.position
        row = result["similarity"][p]
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append(f"PE[{p}]·PE[q], q = 0…{len(row) - 1}: ", style="bold")
        text.append(sparkline(row))
        near = [(q, row[q]) for q in (p - 1, p, p + 1) if 0 <= q < len(row)]
        text.append("   " + "  ".join(f"q={q}: {num(v, '.3f')}" for q, v in near))
        far = len(row) - 1 if p < len(row) / 2 else 0
        if far not in (p - 1, p, p + 1):
            text.append(f"  …  q={far}: {num(row[far], '.3f')}")
        self.query_one("#row-info", Static).update(text)

    def on_heatmap_cursor_moved(self, event: Heatmap.CursorMoved) -> None:
        self.position = event.row
        field = self.query_one("#pos", NumberInput)
        field.value = str(event.row)  # Changed → the entry follows the cursor
        for heatmap in self.query(Heatmap):
            if heatmap is not event.heatmap:
                heatmap.move_cursor(event.row, notify=False)
        self.show_row()
