"""Widgets' default styles (their DEFAULT_CSS) read before the widgets are first mounted, in one parse.

Textual adds a widget class's DEFAULT_CSS, and its bases', when the first widget of the class
is mounted, and parses the styles again at the next styling: the home screen's widgets arrived
in five batches, and four sources were parsed twice (SelectionList lists OptionList's styles
again with a lower tie-breaker, which Textual keeps and parses anew). About 2 ms of the start.
The sources, their tie-breakers and their order are those the widgets would have registered.
"""
from __future__ import annotations

from collections.abc import Iterable

from textual.app import App
from textual.dom import DOMNode


class _ClassOnly:
    """What DOMNode._get_default_css reads of a widget: the classes whose DEFAULT_CSS it inherits."""

    def __init__(self, widget_class: type[DOMNode]) -> None:
        self._node_bases = widget_class._css_bases(widget_class)


def read_default_styles(app: App, widget_classes: Iterable[type[DOMNode]]) -> int:
    """Add the default styles of `widget_classes` (in the order they will be mounted) to the app's styles;
    how many sources the app did not have yet."""
    lowest: dict = {}  # source location -> (css, tie-breaker, scope), the lowest tie-breaker wins, as in Textual
    for widget_class in widget_classes:
        for read_from, css, tie_breaker, scope in DOMNode._get_default_css(_ClassOnly(widget_class)):  # type: ignore[arg-type]
            if read_from not in lowest or tie_breaker < lowest[read_from][1]:
                lowest[read_from] = (css, tie_breaker, scope)
    known = len(app.stylesheet.source)
    for read_from, (css, tie_breaker, scope) in lowest.items():
        app.stylesheet.add_source(css, read_from=read_from, is_default_css=True, tie_breaker=tie_breaker,
                                  scope=scope)
    return len(app.stylesheet.source) - known
