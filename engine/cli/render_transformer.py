"""Rich renderings of the model probes (tokenize, embedding, attention, next_token) for the command line."""
from __future__ import annotations

from rich.console import Group
from rich.table import Table
from rich.text import Text

from engine.texts import _, num


def show(token: str) -> str:
    """A token as a learner can see it: spaces and newlines made visible."""
    return token.replace(" ", "␣").replace("\n", "↵").replace("\t", "⇥")


def _notes(result: dict) -> list[Text]:
    out = []
    if result.get("note"):
        out.append(Text(_("note: {note}").format(note=result["note"]), style="yellow"))
    if result.get("unknown"):
        chars = ", ".join(_("{char!r} at {position}").format(char=u["char"], position=u["position"])
                          for u in result["unknown"])
        out.append(Text(_("outside the vocabulary (shown as <unk>): {chars}").format(chars=chars), style="yellow"))
    return out


def _shade(x: float) -> str:
    level = int(30 + 200 * max(0.0, min(1.0, x)))
    return f"on rgb({level // 4},{level // 2},{level})"


def render_tokenize(result: dict) -> Group:
    table = Table(title=_("{tokenizer} tokenizer: {chars} characters → {tokens} tokens (vocabulary {vocab})").format(
        tokenizer=result["tokenizer"], chars=result["n_characters"], tokens=result["n_tokens"],
        vocab=result["vocab_size"]), show_header=False)
    unknown = {u["position"] for u in result["unknown"]}
    start = 0
    while start < result["n_tokens"]:  # as many tokens per row as fit in about 72 columns
        end, width = start, 6
        while end < result["n_tokens"] and (end == start or width + _cell(result, end) <= 72):
            width += _cell(result, end)
            end += 1
        table.add_row(_("token"), *[Text(show(result["tokens"][i]), style="bold red" if i in unknown else "bold")
                                 for i in range(start, end)])
        table.add_row(_("id"), *[str(result["ids"][i]) for i in range(start, end)], end_section=True)
        start = end
    return Group(table, *_notes(result))


def _cell(result: dict, i: int) -> int:
    return max(len(result["tokens"][i]), len(str(result["ids"][i]))) + 3


def render_embedding(result: dict) -> Group:
    table = Table(title=_("token embeddings (d_model = {d}): first values and nearest tokens by cosine").format(
        d=result["d_model"]))
    for col in (_("token"), _("id"), "‖e‖", "e[0:4]", _("nearest (cosine)")):
        table.add_column(col)
    for t in result["tokens"]:
        table.add_row(Text(show(t["token"])), str(t["id"]), num(t["norm"], ".2f"),
                      " ".join(num(x, "+.2f") for x in t["vector"][:4]),
                      Text("  ".join(f"{show(n['token'])} {num(n['cosine'], '.2f')}" for n in t["nearest"])))
    return Group(table, *_notes(result))


def render_attention(result: dict) -> Group:
    tokens = [show(t) for t in result["tokens"]]
    n = len(tokens)
    first = max(0, n - 64)  # a terminal shows at most the last 64 queries and keys
    title = Text(_("layer {layer}, head {head} ({role}), d_k = {d_k}: weights = softmax(mask(q·k / √{d_k}))   "
                   "rows: queries, columns: keys").format(layer=result["layer"], head=result["head"],
                                                          role=_(result["role"]), d_k=result["d_k"]))
    numbers = n <= 16  # few tokens: print each weight; more: one shaded cell per weight
    grid = Table(title=title, show_header=numbers, pad_edge=False, box=None, padding=(0, 1 if numbers else 0))
    grid.add_column("")
    for t in tokens[first:]:
        grid.add_column(Text(t), justify="right")
    for i in range(first, n):
        cells = []
        for j in range(first, n):
            w = result["weights"][i][j]
            if not result["mask"][i][j]:
                cells.append(Text("  ·" if numbers else "·", style="dim"))
            elif numbers:
                cells.append(Text(num(w, ".2f")[1:] if w < 1 else num(1.0, ".1f"), style=_shade(w)))
            else:
                cells.append(Text(" ░▒▓█"[min(4, int(w * 5))], style=_shade(w).replace("on ", "")))
        grid.add_row(Text(f"{i:>3} {tokens[i]} "), *cells)
    # every number for the query asked for, else the last one: the row a next-token prediction reads
    last = result["query"] if result.get("query") is not None else n - 1
    which = _("the query ({token}) against every key") if result.get("query") is not None else \
        _("the last query ({token}) against every key")
    detail = Table(title=Text(which.format(token=tokens[last])))
    for col in (_("key"), "q·k", "/√d_k", _("allowed"), _("weight")):
        detail.add_column(col, justify="right")
    for j in range(first, n):
        detail.add_row(Text(f"{j} {tokens[j]}"), num(result["scores"][last][j], "+.3f"),
                       num(result["scaled"][last][j], "+.3f"), _("yes") if result["mask"][last][j] else _("no"),
                       num(result["weights"][last][j], ".3f"))
    shown = [Text(_("showing the last 64 of {n} tokens").format(n=n), style="dim")] if first else []
    words = [_words_grid(result)] if "word_weights" in result else []
    return Group(grid, *shown, detail, *words, *_notes(result))


def _words_grid(result: dict) -> Group:
    """The words view: the head's weights gathered to words, with how they were gathered."""
    labels = result["word_labels"]
    grid = Table(box=None, pad_edge=False)
    grid.add_column("")
    for label in labels:
        grid.add_column(Text(label), justify="right")
    for a, label in enumerate(labels):
        cells = [Text(num(w, ".2f"), style=_shade(w)) if result["word_mask"][a][b] else Text("·", style="dim")
                 for b, w in enumerate(result["word_weights"][a])]
        grid.add_row(Text(("▶ " if a == result.get("query_word") else "  ") + label), *cells)
    return Group(Text("\n" + _("words view: {aggregation}").format(aggregation=_(result["aggregation"])),
                      style="bold"), grid)


def render_next_token(result: dict) -> Group:
    context = "".join(result["context"])
    table = Table(title=Text(_("π_θ(· | s) after {context!r} (temperature {temperature}, entropy {entropy} nats)").format(
        context=context[-40:], temperature=num(result["temperature"], "g"), entropy=num(result["entropy"], ".2f"))))
    probability = _("probability")
    for col, justify in ((_("rank"), "right"), (_("token"), "left"), (_("id"), "right"), (probability, "right"),
                         ("", "left")):
        table.add_column(col, justify=justify)
    scale = 40 - max(0, len(probability) - len("probability"))  # a longer heading takes its room from the bars
    for rank, t in enumerate(result["top"], 1):
        table.add_row(str(rank), Text(show(t["token"])), str(t["id"]), num(t["probability"], ".4f"),
                      Text("█" * max(1, round(scale * t["probability"])), style="cyan"))
    held = _("these {n} tokens hold {mass} of the probability").format(n=len(result["top"]),
                                                                       mass=num(result["top_mass"], ".1%"))
    return Group(table, Text(held), *_notes(result))


def render_positional_encoding(result: dict) -> Group:
    from engine.cli.render import matrix_table
    return Group(Text(result["formula"]), Text(_(result["note"]), style="dim"),
                 matrix_table(_("PE: {n} positions × d_model {d}").format(n=result["length"], d=result["d_model"]),
                              result["encoding"]),
                 matrix_table(_("PE·PEᵀ: dot product between positions"), result["similarity"]))
