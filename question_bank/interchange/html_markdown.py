"""HTML, as Moodle stores question texts, turned into the Markdown the TUI shows.

Kept: paragraphs, line breaks (`<br>` as a Markdown hard break, a backslash at the
line's end), bold and italics (also from `<span style>`), strike-through, inline
code and `<pre>` blocks, lists (nested, numbered from `start`), links,
sub- and superscripts (Unicode for digits and signs: x² and H₂O; the course's
notation for letters: r_t, L^CLIP), and every entity (`&amp;` → &, `&#8730;` → √).
Images become a visible reference `[image: NAME](LINK)`, resolved by the caller
(an embedded file saved beside the pack, or the address it points to).
What the TUI cannot show is kept as text with a note: tables (a row per line,
cells separated by `|`), embedded pages and MathML; scripts and styles are left
out with a note. Text is escaped where Markdown would read it as markup, so
`2*3*4` stays `2*3*4` on screen.

The tokenizer is ours because CPython 3.11's `html.parser` is not linear on
hostile input (`"<a " * 40_000`, 120 KB, took 7 minutes): here every search for
a tag's end stops at the next `<`, and comments, CDATA and declarations are found
with one `str.find` each, so a text is read in time proportional to its length.
"""
from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from typing import Callable

from engine.texts import N_, _

# A start or end tag; quoted attribute values may hold '>' but never '<', so no match reads past the next '<'.
_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9:-]*)((?:[^<>\"']|\"[^\"<]*\"|'[^'<]*')*)>")
_ATTR = re.compile(r"""([^\s"'<>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?""")
_TOKEN_START = re.compile(r"<[A-Za-z/!?]")  # where a tag, comment or declaration may start
_SPACE = re.compile(r"[ \t\n\r\f\v\u00a0]+")
# Characters Markdown would read as markup in running text.
_INLINE = re.compile(r"[\\`*\[]|(?<![^\W_])_|_(?![^\W_])|<(?=[A-Za-z/!?])|&(?=#?[A-Za-z0-9]+;)|~(?=~)")
_ESCAPED = r"\\\g<0>"  # a backslash before the match
# What starts a heading, quote, list item or rule when it opens a line.
_LINE_START = re.compile(r"(#{1,6}(?=\s|$)|>|[-+](?=\s|$)|=+\s*$|-{2,}\s*$)|(\d{1,9})([.)])(?=\s|$)")

MAX_NESTING = 64  # open inline elements and lists followed; deeper markup is read as plain text

_BLOCKS = frozenset({"p", "div", "section", "article", "header", "footer", "main", "aside", "nav", "blockquote",
                     "center", "address", "figure", "figcaption", "dl", "dt", "dd", "form", "fieldset", "details",
                     "summary", "h1", "h2", "h3", "h4", "h5", "h6"})
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_MARKS = {"b": "**", "strong": "**", "i": "*", "em": "*", "cite": "*", "var": "*", "dfn": "*",
          "s": "~~", "strike": "~~", "del": "~~"}
_CODE = frozenset({"code", "kbd", "samp", "tt"})
_DROPPED = frozenset({"script", "style", "head", "title", "template", "noscript"})
_VOID = frozenset({"br", "img", "hr", "wbr", "input", "source", "track", "embed", "area", "col", "meta", "link",
                   "param", "base"})
_MEDIA = {"audio": "audio", "video": "video", "source": "media", "embed": "embedded object",
          "object": "embedded object", "iframe": "embedded page"}

# The note for media the TUI cannot show (the kinds above are file content: they stay as written).
_AS_LINK = {"iframe": N_("an embedded page is kept as a link: the TUI cannot show it"),
            "object": N_("an embedded object is kept as a link: the TUI cannot show it"),
            "embed": N_("an embedded object is kept as a link: the TUI cannot show it")}

_SUPERSCRIPT = str.maketrans("0123456789+-−=()", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁻⁼⁽⁾")
_SUBSCRIPT = str.maketrans("0123456789+-−=()", "₀₁₂₃₄₅₆₇₈₉₊₋₋₌₍₎")
_SCRIPTABLE = re.compile(r"[0-9+\-−=()]+")


@dataclass(frozen=True)
class Reference:
    """What a `src` or `href` resolves to: the name to show and where it links (None: nowhere to link)."""

    name: str
    link: str | None


Resolver = Callable[[str], Reference | None]
"""Turns an address from the HTML into a Reference; None keeps the address as it is."""


def _plain_reference(address: str) -> Reference | None:
    return None


@dataclass
class Converted:
    text: str
    notes: list[str] = field(default_factory=list)  # what could not be kept as it was, one sentence each


def escape_markdown(text: str) -> str:
    """Plain text as Markdown that shows the same characters (line by line)."""
    return "\n".join(_escape_line_start(_INLINE.sub(_ESCAPED, line)) for line in text.split("\n"))


def _escape_line_start(text: str) -> str:
    found = _LINE_START.match(text)
    if found is None:
        return text
    if found.group(2):  # "1. " would start a numbered list
        return f"{found.group(2)}\\{found.group(3)}{text[found.end():]}"
    return "\\" + text


def script_text(content: str, superscript: bool) -> str:
    """<sup>2</sup> → ², <sub>t</sub> → _t, <sup>CLIP</sup> → ^CLIP, <sub>t+1</sub> → _(t+1)."""
    content = content.strip()
    if not content:
        return ""
    if _SCRIPTABLE.fullmatch(content):
        return content.translate(_SUPERSCRIPT if superscript else _SUBSCRIPT)
    mark = "^" if superscript else "_"
    if re.fullmatch(r"[^\W_]+", content):
        return mark + content
    return f"{mark}({_INLINE.sub(_ESCAPED, content)})"


def _link_target(address: str) -> str:
    """An address as a Markdown link destination (angle brackets when it has spaces or parentheses)."""
    if re.search(r"[\s()<>]", address):
        return "<" + address.replace("<", "%3C").replace(">", "%3E") + ">"
    return address


@dataclass
class _Open:
    tag: str
    marker: str  # what opens and closes it in Markdown ("" for an element kept only to be closed)
    kind: str = "mark"  # "mark" (emphasis), "link", "plain"
    emitted: bool = False  # the opening marker is in the output
    target: str | None = None  # for links
    reference: Reference | None = None


@dataclass
class _List:
    ordered: bool
    number: int
    base: str  # indentation of the list's markers
    depth: int  # open elements when the list started: closing an item closes those opened after
    items: int = 0  # -1: nested too deeply, items are written as lines


class _Converter:
    """One pass over the tokens, writing Markdown into `parts`."""

    def __init__(self, resolve: Resolver) -> None:
        self.resolve = resolve
        self.parts: list[str] = []
        self.notes: list[str] = []
        self.noted: set[str] = set()
        self.started = False  # some text was written
        self.pending_break = 0  # 0 none, 1 hard line break, 2 new list item, 3 new paragraph
        self.pending_space = False
        self.pending_marker = ""  # a list item's marker, written with the next text
        self.indent = ""  # indentation of continued lines (inside list items)
        self.opened: list[_Open] = []
        self.waiting: list[_Open] = []  # marks opened with no text yet: written with the next text
        self.lists: list[_List] = []
        self.capture: list[tuple[str, list[str]]] = []  # (tag, text) of code, pre, sub, sup, dropped elements
        self.tables = 0
        self.cells = 0

    # --- notes ---

    def note(self, message: str) -> None:
        if message not in self.noted:
            self.noted.add(message)
            self.notes.append(message)

    # --- writing ---

    def want_break(self, level: int) -> None:
        if self.tables and level > 1:
            self.pending_space = True  # blocks inside a table cell stay on the row's line
            return
        self.pending_break = max(self.pending_break, level)

    def flush(self) -> None:
        """Write the pending break (or space) and list marker before new text."""
        if self.pending_break and self.started:
            for mark in reversed(self.opened):  # emphasis does not cross a line: closed here, reopened after
                if mark.kind == "mark" and mark.emitted:
                    self.parts.append(mark.marker)
                    mark.emitted = False
                    self.waiting.append(mark)
            self.waiting.sort(key=self.opened.index)
            self.parts.append({1: "\\\n", 2: "\n", 3: "\n\n"}[self.pending_break])
            self.parts.append(self.indent if not self.pending_marker else "")
        if self.pending_marker:
            self.parts.append(self.pending_marker)
            self.pending_marker = ""
        elif self.pending_space and self.started and not self.pending_break:
            self.parts.append(" ")
        self.pending_break = 0
        self.pending_space = False
        for mark in self.waiting:
            self.parts.append(mark.marker)
            mark.emitted = True
        self.waiting.clear()

    def at_line_start(self) -> bool:
        return (not self.started or bool(self.pending_break) or bool(self.pending_marker)
                or self.parts[-1].endswith("\n"))

    def write(self, text: str, escape: bool = True) -> None:
        """Running text, whitespace already collapsed."""
        if self.capture:
            self.capture[-1][1].append(text)
            return
        if text.startswith(" "):
            self.pending_space = True
        body = text.strip(" ")
        if not body:
            return
        line_start = self.at_line_start() and not self.waiting
        self.flush()
        if escape:
            body = _INLINE.sub(_ESCAPED, body)
            if line_start:
                body = _escape_line_start(body)
        self.parts.append(body)
        self.started = True
        if text.endswith(" "):
            self.pending_space = True

    def write_raw(self, text: str) -> None:
        """Markdown we made (references, code spans): written as it is."""
        if self.capture:
            self.capture[-1][1].append(text)
            return
        self.flush()
        self.parts.append(text)
        self.started = True

    # --- tokens ---

    def data(self, raw: str) -> None:
        if not raw:
            return
        text = html.unescape(raw)
        if self.capture and self.capture[-1][0] == "pre":
            self.capture[-1][1].append(text)
        else:
            self.write(_SPACE.sub(" ", text))

    def start(self, tag: str, attrs: dict[str, str], closed: bool) -> None:
        if self.capture:
            self.start_captured(tag, attrs)
            return
        if tag in _DROPPED:
            self.note(_("a <{tag}> element is left out").format(tag=tag))
            if not closed:
                self.capture.append((tag, []))
            return
        if tag in ("pre", "code", "kbd", "samp", "tt", "sub", "sup") and not closed:
            if tag == "pre":
                self.want_break(3)
            self.capture.append((tag, []))
            return
        if tag == "br":
            self.line_break()
        elif tag == "img":
            self.image(attrs)
        elif tag == "hr":
            self.want_break(3)
            self.write_raw("---")
            self.want_break(3)
        elif tag in _BLOCKS:
            self.block_start(tag)
        elif tag in ("ul", "ol"):
            self.list_start(tag, attrs)
        elif tag == "li":
            self.item_start()
        elif tag == "table":
            self.note(_("a table is kept as text, a row per line with cells separated by '|': the TUI cannot show "
                        "tables"))
            self.want_break(3)
            self.tables += 1
        elif tag == "tr" and self.tables:
            if self.cells:
                self.want_break(1)
            self.cells = 0
        elif tag in ("td", "th") and self.tables:
            if self.cells:
                self.write_raw(" |")
                self.pending_space = True
            self.cells += 1
        elif tag in _MARKS:
            self.open(_Open(tag, _MARKS[tag]))
        elif tag in ("span", "font"):
            self.open(_Open(tag, _style_marker(attrs.get("style", ""))))
        elif tag == "a":
            self.link_start(attrs)
        elif tag in _MEDIA:
            self.media(tag, attrs)
        elif tag == "math":
            self.note(_("MathML is kept as plain text"))

    def start_captured(self, tag: str, attrs: dict[str, str]) -> None:
        captured, text = self.capture[-1]
        if captured in _DROPPED:
            return
        if tag == "br":
            text.append("\n" if captured == "pre" else " ")
        elif tag == "img":
            reference = self.reference(attrs.get("src", ""), attrs.get("alt", ""))
            text.append(f"[image: {reference.name}]")

    def end(self, tag: str) -> None:
        if self.capture:
            if tag == self.capture[-1][0]:
                self.end_capture()
            return
        if tag in _BLOCKS:
            if tag in _HEADINGS:
                self.close_through(tag)
            self.want_break(3)
        elif tag in ("ul", "ol"):
            self.list_end()
        elif tag == "li":
            self.close_through("li")
        elif tag == "table" and self.tables:
            self.tables -= 1
            self.cells = 0
            self.want_break(3)
        elif tag in _MARKS or tag in ("span", "font", "a"):
            self.close_through(tag)

    def end_capture(self) -> None:
        tag, pieces = self.capture.pop()
        text = "".join(pieces)
        if tag in _DROPPED:
            return
        if tag == "pre":
            self.code_block(text)
        elif tag in _CODE:
            self.code_span(_SPACE.sub(" ", text).strip())
        else:
            scripted = script_text(_SPACE.sub(" ", text), superscript=tag == "sup")
            if scripted:
                self.write_raw(scripted)

    # --- pieces ---

    def line_break(self) -> None:
        if self.tables:
            self.pending_space = True
        elif self.pending_break or not self.started:
            self.want_break(3)  # a break after a break: a new paragraph (a lone '\' would show)
        else:
            self.want_break(1)

    def code_span(self, text: str) -> None:
        if not text:
            return
        fence = "`" * (max((len(run) for run in re.findall(r"`+", text)), default=0) + 1)
        pad = " " if text.startswith("`") or text.endswith("`") else ""
        self.write_raw(f"{fence}{pad}{text}{pad}{fence}")

    def code_block(self, text: str) -> None:
        text = text.strip("\n")
        if not text.strip():
            return
        fence = "`" * max(3, max((len(run) for run in re.findall(r"`+", text)), default=0) + 1)
        lines = text.split("\n")
        self.want_break(3)
        self.write_raw(fence + "\n" + "".join(f"{self.indent}{line}\n" for line in lines) + self.indent + fence)
        self.want_break(3)

    def block_start(self, tag: str) -> None:
        fresh_item = self.lists and self.pending_marker  # a <p> first in a list item adds no blank line
        if not fresh_item:
            self.want_break(3)
        if tag in _HEADINGS:
            self.open(_Open(tag, "**"))

    def list_start(self, tag: str, attrs: dict[str, str]) -> None:
        if len(self.lists) >= MAX_NESTING // 8:
            self.want_break(2)
            self.lists.append(_List(tag == "ol", 0, self.indent, len(self.opened), items=-1))
            return
        start = attrs.get("start", "1")
        number = int(start) if start.isdigit() and len(start) < 9 else 1
        self.want_break(2 if self.lists else 3)
        self.lists.append(_List(tag == "ol", number, self.indent, len(self.opened)))

    def close_to(self, depth: int) -> None:
        while len(self.opened) > depth:
            self.close(self.opened.pop())

    def item_start(self) -> None:
        if not self.lists:  # <li> outside a list: an item of its own
            self.want_break(2)
            self.pending_marker = self.indent + "- "
            return
        current = self.lists[-1]
        self.close_to(current.depth)
        if current.items < 0:
            self.want_break(2)
            return
        marker = f"{current.number + current.items}. " if current.ordered else "- "
        current.items += 1
        if current.items > 1 and self.pending_break == 3:
            self.pending_break = 2  # items stay together even after a closing </p>
        else:
            self.want_break(2)
        self.pending_marker = current.base + marker
        self.indent = current.base + " " * len(marker)
        self.opened.append(_Open("li", "", kind="plain"))

    def list_end(self) -> None:
        if not self.lists:
            return
        finished = self.lists.pop()
        self.close_to(finished.depth)
        self.indent = finished.base
        self.pending_marker = ""
        self.want_break(3)

    def open(self, mark: _Open) -> None:
        if len(self.opened) >= MAX_NESTING:
            return
        if mark.marker and not any(o.marker == mark.marker and o.kind == "mark" for o in self.opened):
            self.waiting.append(mark)
        else:
            mark.marker = ""  # **bold inside bold** needs no second marker
        self.opened.append(mark)

    def close_through(self, tag: str) -> None:
        """Close the innermost open element named `tag` and those opened after it."""
        for index in range(len(self.opened) - 1, -1, -1):
            if self.opened[index].tag == tag:
                break
            if self.opened[index].tag == "li" and tag != "li":
                return  # an end tag never closes across a list item
        else:
            return
        while len(self.opened) > index:
            self.close(self.opened.pop())

    def close(self, mark: _Open) -> None:
        if mark in self.waiting:  # nothing written inside: no markers at all
            self.waiting.remove(mark)
            if mark.kind == "link" and mark.reference is not None:
                self.write_raw(_reference_markdown("file", mark.reference))
            return
        if mark.kind == "link" and mark.emitted:
            self.parts.append(f"]({_link_target(mark.target)})" if mark.target else "]")
        elif mark.kind == "mark" and mark.emitted:
            self.parts.append(mark.marker)

    def link_start(self, attrs: dict[str, str]) -> None:
        address = attrs.get("href", "").strip()
        if not address or address.startswith(("#", "javascript:")) or any(o.kind == "link" for o in self.opened):
            self.open(_Open("a", "", kind="plain"))
            return
        reference = self.resolve(address)
        target = reference.link if reference is not None else address
        mark = _Open("a", "[", kind="link", target=target, reference=reference)
        if len(self.opened) < MAX_NESTING:
            self.waiting.append(mark)
            self.opened.append(mark)

    def reference(self, address: str, alt: str) -> Reference:
        found = self.resolve(address) if address else None
        if found is not None:
            return found
        if address.startswith(("http://", "https://", "//")):
            return Reference(alt.strip() or address.rsplit("/", 1)[-1] or address, address)
        return Reference(alt.strip() or address or "no source", None)

    def image(self, attrs: dict[str, str]) -> None:
        reference = self.reference(attrs.get("src", "").strip(), attrs.get("alt", ""))
        inside_link = any(o.kind == "link" for o in self.opened)
        self.write_raw(_reference_markdown("image", Reference(reference.name, None) if inside_link else reference))

    def media(self, tag: str, attrs: dict[str, str]) -> None:
        address = (attrs.get("src") or attrs.get("data") or "").strip()
        if not address:
            return
        kind = _MEDIA[tag]
        reference = self.reference(address, attrs.get("title", ""))
        if tag in ("iframe", "object", "embed"):
            self.note(_(_AS_LINK[tag]))
        self.write_raw(_reference_markdown(kind, reference))

    def finish(self) -> str:
        while self.capture:
            self.end_capture()
        while self.opened:
            self.close(self.opened.pop())
        return "".join(self.parts).strip()


def _reference_markdown(kind: str, reference: Reference) -> str:
    label = f"{kind}: {reference.name}".replace("[", "(").replace("]", ")")
    return f"[{label}]({_link_target(reference.link)})" if reference.link else f"[{label}]"


def _style_marker(style: str) -> str:
    style = style.lower().replace(" ", "")
    bold = re.search(r"font-weight:(bold|bolder|[6-9]00)", style) is not None
    italic = re.search(r"font-style:(italic|oblique)", style) is not None
    return ("**" if bold else "") + ("*" if italic else "")


def _attributes(text: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for match in _ATTR.finditer(text):
        name = match.group(1).lower()
        value = next((v for v in match.group(2, 3, 4) if v is not None), "")
        found.setdefault(name, html.unescape(value))
    return found


def html_to_markdown(source: str, resolve: Resolver = _plain_reference) -> Converted:
    """Markdown for the HTML `source`, and notes on what could not be kept as it was."""
    out = _Converter(resolve)
    position = text_from = 0  # text runs from `text_from` up to the next token
    size = len(source)
    while True:
        found = _TOKEN_START.search(source, position)
        if found is None:
            break
        lt = found.start()
        if source.startswith("<!--", lt):
            end = source.find("-->", lt + 4)
            if end < 0:
                out.data(source[text_from:lt])
                out.note(_("an unclosed <!-- comment hides the rest of the text"))
                return Converted(out.finish(), out.notes)
            out.data(source[text_from:lt])
            position = text_from = end + 3
        elif source.startswith("<![CDATA[", lt):
            end = source.find("]]>", lt + 9)
            out.data(source[text_from:lt])
            out.data(html.escape(source[lt + 9:end if end >= 0 else size], quote=False))
            position = text_from = end + 3 if end >= 0 else size
        elif source.startswith(("<!", "<?"), lt):
            end = source.find(">", lt)
            if end < 0:  # no '>' anywhere after: the rest is text
                break
            out.data(source[text_from:lt])
            position = text_from = end + 1
        else:
            tag = _TAG.match(source, lt)
            if tag is None:  # a '<' that starts no tag is a character of the text
                position = lt + 1
                continue
            out.data(source[text_from:lt])
            name = tag.group(2).lower()
            attrs = tag.group(3)
            closed = attrs.rstrip().endswith("/") or name in _VOID
            if tag.group(1):
                out.end(name)
            else:
                out.start(name, _attributes(attrs.rstrip().removesuffix("/")), closed)
            position = text_from = tag.end()
    out.data(source[text_from:])
    return Converted(out.finish(), out.notes)
