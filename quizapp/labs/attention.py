"""Attention lab: one head's softmax weights as a heatmap, and every number behind one query's row.

Probe: attention (one call per view; the overview asks for every layer and head
of the same sentence, which the engine answers from one cached forward pass).
ctrl+o switches between the word model (sub-word tokens) and the character
model; w shows the words view: the weights gathered to words (on the character
model, mean over the query word's characters, sum over the key word's).
"""
from __future__ import annotations

import math

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import ContentSwitcher, DataTable, Input, Label, Static

from quizapp.labs.base import LabScreen, Outcome, text_field
from quizapp.i18n import N_, _, num
from quizapp.widgets.table_rows import set_rows
from quizapp.widgets.heatmap import SEQUENTIAL, Heatmap, MiniHeatmap, scale_colour, visible_token

DEFAULT_TEXT = "The animal did not cross the street because it was tired"
CHECKPOINTS = ("pretrain", "sft", "rlhf")
TOP = 3  # keys highlighted in the table


def key_rows(result: dict, query: int) -> list[dict]:
    """One row per key token for a query: q·k, q·k/√d_k and the softmax weight, sorted by weight.

    Keys the causal mask hides (the future) come last, with their scores but no weight.
    """
    rows = []
    for j, token in enumerate(result["tokens"]):
        allowed = bool(result["mask"][query][j])
        rows.append({"position": j, "token": token, "score": result["scores"][query][j],
                     "scaled": result["scaled"][query][j],
                     "weight": result["weights"][query][j] if allowed else None})
    allowed = sorted((r for r in rows if r["weight"] is not None), key=lambda r: -r["weight"])
    return allowed + [r for r in rows if r["weight"] is None]


def word_rows(result: dict, query_word: int) -> list[dict]:
    """key_rows for the words view: one row per key word, its summed weight; later words are masked."""
    rows = [{"position": j, "token": word, "weight": result["word_weights"][query_word][j] if j <= query_word else None}
            for j, word in enumerate(result["word_labels"])]
    allowed = sorted((r for r in rows if r["weight"] is not None), key=lambda r: -r["weight"])
    return allowed + [r for r in rows if r["weight"] is None]


def legend() -> Text:
    text = Text(_("colour: 0") + " ")
    for i in range(16):
        text.append(" ", style=f"on {scale_colour(i / 15, SEQUENTIAL).name}")
    text.append(" 1  " + _("softmax weight · grey: masked (future) · mouse: click a head to open it"), style="dim")
    return text


class AttentionLab(LabScreen):
    CSS_PATH = ["base.tcss", "attention.tcss"]
    WIDGET_CLASSES = LabScreen.WIDGET_CLASSES + (ContentSwitcher, VerticalScroll, Heatmap, DataTable)
    LAB_TITLE = N_("Attention")
    HINT = N_("↑/↓ moves the query; Tab, then h/l change head and layer, a all heads, w words view; ctrl+o: model.")
    EXPLORE_ACTIONS = frozenset({"head", "layer", "overview", "checkpoint", "words"})
    MODEL_LAB = True
    BINDINGS = [
        Binding("up", "query(-1)", N_("Query"), key_display="↑↓", priority=True),
        Binding("down", "query(1)", N_("Query"), show=False, priority=True),
        Binding("h", "head(1)", N_("Head"), key_display="h/H"),
        Binding("H", "head(-1)", N_("Head"), show=False),
        Binding("l", "layer(1)", N_("Layer"), key_display="l/L"),
        Binding("L", "layer(-1)", N_("Layer"), show=False),
        Binding("a", "overview", N_("All")),
        Binding("c", "checkpoint", N_("Stage")),
        Binding("w", "words", N_("Words")),
    ]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.layer_no = 0
        self.head_no = 0
        self.checkpoint = "pretrain"
        self.n_layers, self.n_heads = 3, 4
        self.result: dict | None = None
        self.query_row = 0
        self.overview = False
        self.words = False  # the words view: weights gathered to words
        self.pending_query: object = None

    def compose_lab(self) -> ComposeResult:
        with Horizontal(classes="field-row"):
            yield Label(_("Text"), classes="field-label")
            yield text_field(placeholder=_("type a sentence"), id="text")
        yield Static(id="controls", classes="info")
        yield Static(id="view-note", classes="info")
        with ContentSwitcher(initial="single", id="views"):
            with Horizontal(id="single"):
                yield Heatmap(cell_width=2, legend_label=_("weight"), mask_label=_("masked"),
                              id="heatmap")
                with Vertical(id="side"):
                    yield Static(id="query-info")
                    yield DataTable(id="keys", cursor_type="none", zebra_stripes=True)
            with VerticalScroll(id="overview"):
                yield Static(legend(), id="overview-legend")
                yield Vertical(id="grid")

    def on_mount(self) -> None:
        table = self.query_one("#keys", DataTable)
        table.add_columns(_("key"), "q·k", "q·k/√dₖ", _("weight"))
        table.can_focus = False
        super().on_mount()

    def start(self) -> None:
        args = self.initial
        self.layer_no = int(args.get("layer", self.layer_no))
        self.head_no = int(args.get("head", self.head_no))
        self.checkpoint = str(args.get("checkpoint", self.checkpoint))
        self.words = args.get("view", "words" if self.words else "tokens") == "words"
        self.pending_query = args.get("query")
        self.fill("#text", args.get("text", DEFAULT_TEXT)).focus()
        self.compute()

    def model_changed(self) -> None:
        self.compute()

    # --- computing ---

    def on_input_changed(self, event: Input.Changed) -> None:
        self.debounce("text", self.compute)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.compute()

    def args(self, layer: int | None = None, head: int | None = None) -> dict:
        args = {"text": self.query_one("#text", Input).value, "checkpoint": self.checkpoint, "model": self.model,
                "layer": self.layer_no if layer is None else layer, "head": self.head_no if head is None else head,
                "view": "words" if self.words and not self.overview else "tokens"}
        if self.pending_query is not None:  # a question's query word: the cursor starts on it
            args["query"] = str(self.pending_query)
        return args

    def compute(self) -> None:
        self.show_controls()
        if self.overview:
            calls = [("attention", self.args(l, h)) for l in range(self.n_layers) for h in range(self.n_heads)]
            self.run_probes(calls, self.show_overview, on_error=lambda _: self.clear())
        else:
            self.run_probe("attention", self.args(), self.show, on_error=lambda _: self.clear())

    def clear(self) -> None:
        self.result = None
        self.query_one("#heatmap", Heatmap).clear()
        self.query_one("#keys", DataTable).clear()
        self.query_one("#query-info", Static).update("")
        self.query_one("#grid", Vertical).remove_children()

    def show_controls(self) -> None:
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append(_("layer {n}").format(n=self.layer_no), style="bold")
        text.append(f"/{self.n_layers}  ")
        text.append(_("head {n}").format(n=self.head_no), style="bold")
        text.append(f"/{self.n_heads}  ·  {self.checkpoint}")
        if self.result is not None and not self.overview:
            text.append("  ·  " + _("role:") + " ")
            text.append(_(self.result["role"]), style="bold")
            if self.result.get("induction") is not None:
                text.append(" (" + _("induction {score}").format(score=num(self.result["induction"], ".2f")) + ")")
            text.append(f"  ·  d_k = {self.result['d_k']}")
        if self.overview:
            text.append("  ·  " + _("all heads: h/l pick, a opens"), style="italic")
        self.query_one("#controls", Static).update(text)
        note = self.query_one("#view-note", Static)
        note.display = self.words and not self.overview and self.result is not None
        if note.display:
            note.update(Text(_("words view: row = mean over the query word's characters, column = sum over the key "
                               "word's characters; each row still sums to 1") if self.result.get("model") == "char"
                             else _("words view: row = mean over the query word's tokens, column = sum over the key "
                                    "word's tokens; each row still sums to 1"), style="italic"))

    def show(self, result: dict) -> None:
        self.result = result
        self.n_layers, self.n_heads = result["n_layers"], result["n_heads"]
        words = "word_weights" in result
        labels = result["word_labels"] if words else result["tokens"]
        if result.get("query") is not None and self.pending_query is not None:
            self.query_row = result["query_word"] if words else result["query"]
        self.pending_query = None
        self.query_row = min(self.query_row, len(labels) - 1)
        weights, mask = (result["word_weights"], result["word_mask"]) if words else (result["weights"], result["mask"])
        masked = [[not allowed for allowed in row] for row in mask]
        heatmap = self.query_one("#heatmap", Heatmap)
        # Two columns per cell when the sentence fits the space, else one (then it scrolls if need be).
        room = self.query_one("#single").size.width - self.query_one("#side").outer_size.width
        heatmap.cell_width = 2 if 4 + 2 * len(labels) <= room else 1
        heatmap.set_data(weights, labels, labels, masked=masked, vmin=0.0, vmax=1.0, cursor_row=self.query_row)
        self.show_controls()
        self.show_query()

    def show_query(self) -> None:
        result = self.result
        if result is None:
            return
        i = self.query_row
        info = Text(no_wrap=True, overflow="ellipsis")
        table = self.query_one("#keys", DataTable)
        rows = []
        if "word_weights" in result:
            info.append(_("query word {i} {word!r}").format(i=i, word=result["word_labels"][i]), style="bold")
            info.append(f"  Σ = {num(sum(result['word_weights'][i][:i + 1]), '.3f')}")
            self.query_one("#query-info", Static).update(info)
            for rank, row in enumerate(word_rows(result, i)):
                top = row["weight"] is not None and rank < TOP
                weight = num(row["weight"], ".3f") if row["weight"] is not None else _("masked")
                style = "bold" if top else ("dim" if row["weight"] is None else "")
                rows.append([Text(f"{row['position']} {row['token']}", style=style), Text("", style=style),
                             Text("", style=style), Text(weight, style=style + (" reverse" if top else ""),
                                                         justify="right")])
            set_rows(table, rows)
            return
        tokens = result["tokens"]
        allowed_weights = [w for w, m in zip(result["weights"][i], result["mask"][i]) if m]
        info.append(_("query {i} {token!r}").format(i=i, token=visible_token(tokens[i])), style="bold")
        info.append(f"  √dₖ = {num(math.sqrt(result['d_k']), '.3g')}  Σ = {num(sum(allowed_weights), '.3f')}")
        self.query_one("#query-info", Static).update(info)
        for rank, row in enumerate(key_rows(result, i)):
            top = row["weight"] is not None and rank < TOP
            style = "bold" if top else ("dim" if row["weight"] is None else "")
            weight = num(row["weight"], ".3f") if row["weight"] is not None else _("masked")
            cells = [f"{row['position']} {visible_token(row['token'])}", num(row["score"], ".3f"),
                     num(row["scaled"], ".3f"), weight]
            rows.append([Text(c, style=style + (" reverse" if top and k == 3 else ""), justify="right" if k else "left")
                         for k, c in enumerate(cells)])
        set_rows(table, rows)

    def show_overview(self, outcomes: list[Outcome]) -> None:
        grid = self.query_one("#grid", Vertical)
        grid.remove_children()
        minis = []
        room = self.query_one("#overview").content_region.width
        for outcome in outcomes:
            result = outcome.result
            if result is None:
                continue
            layer, head = result["layer"], result["head"]
            # the role on its own line, as wide as a layer's heads side by side allow ("vorheriges Token")
            width = max(len(result["tokens"]), 6, room // max(1, self.n_heads) - 2)
            title = f"L{layer} H{head}\n{_(result['role'])[:width]}"
            masked = [[not a for a in row] for row in result["mask"]]
            mini = MiniHeatmap(title, result["weights"], masked=masked, key=(layer, head),
                               classes="-selected" if (layer, head) == (self.layer_no, self.head_no) else "")
            mini.tooltip = _("layer {layer}, head {head}: {role}").format(layer=layer, head=head, role=_(result["role"]))
            minis.append(mini)
        if minis:  # one layer per row, wrapped when its heads do not fit side by side
            widest = max(mini.get_content_width(None, None) for mini in minis)
            per_row = max(1, min(self.n_heads, room // (widest + 2)))
            rows = []
            for layer in range(self.n_layers):
                of_layer = [m for m in minis if m.key[0] == layer]
                rows += [Horizontal(*of_layer[i:i + per_row], classes="overview-row")
                         for i in range(0, len(of_layer), per_row)]
            grid.mount_all(rows)
        self.show_controls()

    # --- keys ---

    def action_query(self, step: int) -> None:
        if self.overview:
            self.query_one("#overview", VerticalScroll).scroll_relative(y=step, animate=False)
            return
        if self.result is None:
            return
        self.query_one("#heatmap", Heatmap).move_cursor(self.query_row + step)

    def on_heatmap_cursor_moved(self, event: Heatmap.CursorMoved) -> None:
        self.query_row = event.row
        self.show_query()

    def action_head(self, step: int) -> None:
        self.head_no = (self.head_no + step) % self.n_heads
        self._after_pick()

    def action_layer(self, step: int) -> None:
        self.layer_no = (self.layer_no + step) % self.n_layers
        self._after_pick()

    def _after_pick(self) -> None:
        if self.overview:
            for mini in self.query(MiniHeatmap):
                mini.set_class(mini.key == (self.layer_no, self.head_no), "-selected")
                if mini.key == (self.layer_no, self.head_no):
                    mini.scroll_visible(animate=False)
            self.show_controls()
        else:
            self.compute()

    def action_overview(self) -> None:
        self.overview = not self.overview
        self.query_one("#views", ContentSwitcher).current = "overview" if self.overview else "single"
        if not self.overview:
            self.query_one("#heatmap", Heatmap).focus()
        self.compute()

    def action_words(self) -> None:
        self.words = not self.words
        self.query_row = 0
        if not self.overview:
            self.compute()

    def action_checkpoint(self) -> None:
        self.checkpoint = CHECKPOINTS[(CHECKPOINTS.index(self.checkpoint) + 1) % len(CHECKPOINTS)] \
            if self.checkpoint in CHECKPOINTS else CHECKPOINTS[0]
        self.compute()

    def on_mini_heatmap_picked(self, event: MiniHeatmap.Picked) -> None:
        self.layer_no, self.head_no = event.mini.key
        if self.overview:
            self.action_overview()
