"""Tokens and embeddings lab: characters and sub-word tokens of any text side by side, nearest tokens of one.

Probes: tokenize (characters, and the sub-words: the word model's byte-level BPE, or the char
model's BPE for comparison) and embedding (of the model shown), all three per text. ctrl+o
switches between the word model and the character model.
"""
from __future__ import annotations

from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import DataTable, Input, Label, Static

from quizapp.labs.base import LabScreen, Outcome, text_field
from quizapp.i18n import N_, _, num
from quizapp.widgets.table_rows import set_rows
from quizapp.widgets.bars import BarRow, Bars
from quizapp.widgets.heatmap import visible_token

DEFAULT_TEXT = "the tokenizer maps text to ids"
CHIP_STYLES = (Style(bgcolor="#2f4f6f"), Style(bgcolor="#5a3f6e"))
UNKNOWN_STYLE = Style(bgcolor="#a02828", color="white", bold=True)
SELECTED_STYLE = Style(bgcolor="#d0a020", color="black", bold=True)
TOP_K = 8


def chips(tokens: list[str], unknown: set[int], selected: set[int]) -> Text:
    """Tokens one after the other on alternating backgrounds; unknown ones red, selected ones yellow."""
    text = Text()
    for i, token in enumerate(tokens):
        style = SELECTED_STYLE if i in selected else UNKNOWN_STYLE if i in unknown else CHIP_STYLES[i % 2]
        text.append(visible_token(token), style)
    return text


def token_at(spans: list[list[int]], char: int) -> int | None:
    """The token whose characters include position `char`."""
    return next((k for k, (a, b) in enumerate(spans) if a <= char < b), None)


class TokensLab(LabScreen):
    CSS_PATH = ["base.tcss", "tokens.tcss"]
    WIDGET_CLASSES = LabScreen.WIDGET_CLASSES + (DataTable, Bars)
    LAB_TITLE = N_("Tokens and embeddings")
    HINT = N_("Type any text; ↑/↓ picks a token and shows its nearest tokens; ctrl+o: word/char model.")
    MODEL_LAB = True
    BINDINGS = [
        Binding("up", "select(-1)", N_("Token"), key_display="↑↓", priority=True),
        Binding("down", "select(1)", N_("Token"), show=False, priority=True),
    ]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.char: dict | None = None
        self.bpe: dict | None = None
        self.embedding: dict | None = None
        self.selected = 0

    def compose_lab(self) -> ComposeResult:
        with Horizontal(classes="field-row"):
            yield Label(_("Text"), classes="field-label")
            yield text_field(placeholder=_("type any text"), id="text")
        yield Static(id="summary", classes="info")
        with Horizontal(id="chips-row"):
            yield Static(_("chars"), classes="chips-label")
            yield Static(id="char-chips", classes="chips")
        with Horizontal(id="bpe-chips-row"):
            yield Static("BPE", id="bpe-label", classes="chips-label")
            yield Static(id="bpe-chips", classes="chips")
        with Horizontal(id="tables"):
            with Vertical(id="char-col"):
                yield Static(_("Characters"), classes="section-title")
                yield DataTable(id="char-table", cursor_type="row", zebra_stripes=True)
            with Vertical(id="bpe-col"):
                yield Static(_("BPE tokens"), id="bpe-title", classes="section-title")
                yield DataTable(id="bpe-table", cursor_type="row", zebra_stripes=True)
            with Vertical(id="near-col"):
                yield Static(_("Nearest tokens"), id="near-title", classes="section-title")
                yield Static(id="near-info", classes="info")
                yield Bars(id="near")

    def on_mount(self) -> None:
        self.query_one("#char-table", DataTable).add_columns("pos", "tok", "id")
        bpe = self.query_one("#bpe-table", DataTable)
        bpe.add_columns("pos", _("token"), "id")
        bpe.can_focus = False
        super().on_mount()

    def start(self) -> None:
        self.fill("#text", self.initial.get("text", DEFAULT_TEXT)).focus()
        self.compute()

    def model_changed(self) -> None:
        self.compute()

    def on_input_changed(self, event: Input.Changed) -> None:
        self.debounce("text", self.compute)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.compute()

    def compute(self) -> None:
        text = self.query_one("#text", Input).value
        # Sub-words: the word model's own tokens, or, beside the character model, its 256-merge BPE.
        subwords = {"tokenizer": "model", "model": "word"} if self.model == "word" else {"tokenizer": "bpe"}
        self.run_probes([("tokenize", {"text": text, "tokenizer": "char"}),
                         ("tokenize", {"text": text, **subwords}),
                         ("embedding", {"text": text, "top_k": TOP_K, "model": self.model})],
                        self.show, on_error=lambda _: self.clear())

    def clear(self) -> None:
        self.char = self.bpe = self.embedding = None
        for table in self.query(DataTable):
            table.clear()
        for name in ("#summary", "#char-chips", "#bpe-chips", "#near-info"):
            self.query_one(name, Static).update("")
        self.query_one("#near", Bars).set_rows([])

    def show(self, outcomes: list[Outcome]) -> None:
        char, bpe, emb = (o.result for o in outcomes)
        self.char, self.bpe, self.embedding = char, bpe, emb
        if char is None or bpe is None:
            self.clear()
            return
        unknown = {u["position"] for u in char["unknown"]}
        word = bpe["tokenizer"] == "word"
        self.query_one("#bpe-label", Static).update(_("word") if word else "BPE")
        self.query_one("#bpe-title", Static).update(_("Word model: byte-level BPE") if word else _("BPE tokens"))
        summary = Text()
        summary.append((_("{chars} characters → {tokens} character tokens · {bpe} word-model tokens "
                          "({per} characters per token)") if word else
                        _("{chars} characters → {tokens} character tokens · {bpe} BPE tokens "
                          "({per} characters per token)")).format(
            chars=char["n_characters"], tokens=char["n_tokens"], bpe=bpe["n_tokens"],
            per=num(bpe["characters_per_token"], "g")))
        if unknown:
            chars = ", ".join(_("{char!r} at {position}").format(char=u["char"], position=u["position"])
                              for u in char["unknown"])
            summary.append(" · " + _("not in the vocabulary (<unk>, id 0): {chars}").format(chars=chars),
                           style="bold red")
        self.query_one("#summary", Static).update(summary)
        rows = []
        for i, (token, token_id) in enumerate(zip(char["tokens"], char["ids"])):
            # an unknown character shows as <unk> (�) followed by the character it replaced
            shown = Text(f"{visible_token(token)} {char['text'][i]}", style="bold red") if i in unknown \
                else Text(visible_token(token))
            rows.append([str(i), shown, str(token_id)])
        set_rows(self.query_one("#char-table", DataTable), rows)
        bpe_unknown = {u["position"] for u in bpe["unknown"]}
        set_rows(self.query_one("#bpe-table", DataTable),
                 ([str(i), Text(visible_token(token), style="bold red" if i in bpe_unknown else ""), str(token_id)]
                  for i, (token, token_id) in enumerate(zip(bpe["tokens"], bpe["ids"]))))
        self.select(min(self.selected, len(char["tokens"]) - 1))

    def select(self, index: int) -> None:
        """Make character token `index` the selected one: tables, chips and nearest tokens follow."""
        char, bpe = self.char, self.bpe
        if char is None or bpe is None:
            return
        index = min(max(index, 0), len(char["tokens"]) - 1)
        self.selected = index
        table = self.query_one("#char-table", DataTable)
        if table.row_count and table.cursor_row != index:
            table.move_cursor(row=index, animate=False)
        in_bpe = {i for i, (a, b) in enumerate(bpe["spans"]) if a <= index < b}
        self.query_one("#char-chips", Static).update(
            chips(char["tokens"], {u["position"] for u in char["unknown"]}, {index}))
        self.query_one("#bpe-chips", Static).update(
            chips(bpe["tokens"], {u["position"] for u in bpe["unknown"]}, in_bpe))
        bpe_table = self.query_one("#bpe-table", DataTable)
        if in_bpe and bpe_table.row_count:
            bpe_table.move_cursor(row=min(in_bpe), animate=False)
        self.show_nearest(index)

    def show_nearest(self, index: int) -> None:
        """Nearest tokens of the model's token at character `index` (the character itself, or its sub-word)."""
        emb, char = self.embedding, self.char
        if self.model == "word" and self.bpe is not None and self.bpe["tokenizer"] == "word":
            char = self.bpe  # the word model's tokens are what its embedding table holds
            index = token_at(self.bpe["spans"], index) or 0
        title = self.query_one("#near-title", Static)
        info = self.query_one("#near-info", Static)
        bars = self.query_one("#near", Bars)
        if emb is None or char is None:
            title.update(_("Nearest tokens"))
            info.update(_("(no embeddings: see the status line)"))
            bars.set_rows([])
            return
        offset = len(char["tokens"]) - len(emb["tokens"])  # the embedding probe keeps the last block_size
        token = char["tokens"][index]
        title.update(Text(_("Nearest to {token!r}").format(token=visible_token(token)), style="bold"))
        if index < offset:
            info.update(_("outside the model's context: only the last {n} tokens are looked up").format(
                n=len(emb["tokens"])))
            bars.set_rows([])
            return
        entry = emb["tokens"][index - offset]
        info.update(_("id {id} · ‖e‖ = {norm} · cosine in {dims} dims").format(
            id=entry["id"], norm=num(entry["norm"], ".3f"), dims=emb["d_model"]))
        bars.set_rows([BarRow(visible_token(n["token"]), max(n["cosine"], 0.0), num(n["cosine"], ".3f"), i == 0)
                       for i, n in enumerate(entry["nearest"])], scale_max=1.0)

    def action_select(self, step: int) -> None:
        bpe = self.bpe
        if self.model == "word" and bpe is not None and bpe["tokenizer"] == "word" and bpe["spans"]:
            # one step is one word-model token: jump to the first character of the next or previous one
            k = token_at(bpe["spans"], self.selected) or 0
            k = min(max(k + step, 0), len(bpe["spans"]) - 1)
            self.select(bpe["spans"][k][0])
        else:
            self.select(self.selected + step)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.data_table.id == "char-table" and event.cursor_row != self.selected:
            self.select(event.cursor_row)
