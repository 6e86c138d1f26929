"""The item analysis as one self-contained HTML file: tables, and charts as inline SVG.

No script, no stylesheet or font from the network: the file can be mailed or opened offline.
Every text that comes from a pack or a result file is escaped.
"""
from __future__ import annotations

from html import escape

from quizapp.i18n import N_, _, language, num
from quizapp.results import charts
from quizapp.results.analysis import ItemStats, Report
from quizapp.results.terminal import figure, heading, left_out_lines, sorted_items

_LEGEND = N_("n answers · p facility (share correct) · r point-biserial correlation with the rest score · D "
             "upper–lower index (top 27 % minus bottom 27 % by rest score). Sorted by flags.")
# The page's fixed texts, translated once per page.
_TEXTS = (N_("Reliability:"), N_("Facility and discrimination"), N_("Questions"), _LEGEND, N_("question"),
          N_("topic"), N_("flags"), N_("Topics"), N_("questions"), N_("answers"), N_("mean facility"),
          N_("Flagged questions"), N_("Left out"), N_("Nothing: every answer is in the figures."))
MAX_BAR_CHARTS = 40  # flagged questions drawn with distractor bars; the rest are listed in the table

STYLE = """
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 70em; color: #222; padding: 0 1em; }
table { border-collapse: collapse; margin: 0.5em 0 1.5em; }
th, td { border-bottom: 1px solid #ddd; padding: 0.25em 0.6em; text-align: left; vertical-align: top; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.serious { color: #c0392b; } .warning { color: #a04000; } .dim { color: #777; }
.key { font-weight: bold; color: #1e8449; }
section.item { border-top: 1px solid #ccc; padding-top: 0.5em; }
figure { margin: 0; } svg { max-width: 100%; height: auto; }
"""


def _cell(value: object, numeric: bool = False) -> str:
    return f'<td class="num">{escape(str(value))}</td>' if numeric else f"<td>{escape(str(value))}</td>"


def _flags(item: ItemStats) -> str:
    if not item.flags:
        return "<td></td>"
    lines = []
    for f in item.flags:
        kind = "serious" if f.kind in ("negative", "key-beaten") else "warning"
        lines.append(f'<div class="{kind}">{escape(f.reason)}</div>')
    return "<td>" + "".join(lines) + "</td>"


def _item_rows(report: Report) -> str:
    rows = []
    for item in sorted_items(report):
        rows.append("<tr>" + _cell(item.question) + _cell(item.topic) + _cell(item.n, True)
                    + _cell(figure(item.facility), True) + _cell(figure(item.point_biserial, True), True)
                    + _cell(figure(item.upper_lower, True), True) + _flags(item) + "</tr>")
    return "\n".join(rows)


def _choice_table(item: ItemStats) -> str:
    rows = []
    for c in item.choices:
        letter = f'<span class="key">{c.letter} {escape(_("✓ key"))}</span>' if c.key else escape(c.letter)
        rows.append(f"<tr><td>{letter}</td>" + _cell(c.count, True) + _cell(_share(c.share), True)
                    + _cell("–" if c.upper is None else _share(c.upper), True)
                    + _cell("–" if c.lower is None else _share(c.lower), True) + "</tr>")
    head = (f'<tr><th>{_("choice")}</th><th class="num">{_("chosen")}</th><th class="num">{_("all")}</th>'
            f'<th class="num">{_("upper 27 %")}</th><th class="num">{_("lower 27 %")}</th></tr>')
    return f"<table>{head}{''.join(rows)}</table>"


def _share(share: float) -> str:
    return num(share * 100, ".0f") + "%"


def _flagged_sections(report: Report) -> str:
    flagged = [item for item in sorted_items(report) if any(f.kind != "few" for f in item.flags)]
    parts = []
    for item in flagged[:MAX_BAR_CHARTS]:
        reasons = "".join(f"<li>{escape(f.reason)}</li>" for f in item.flags)
        body = (f"<figure>{charts.distractor_bars(item)}</figure>{_choice_table(item)}" if item.choices
                else '<p class="dim">' + escape(_("A calculated question: its choices are drawn per attempt, so there "
                                                   "is no distractor analysis.")) + "</p>")
        parts.append(f'<section class="item"><h3>{escape(item.question)} '
                     f'<span class="dim">({escape(item.topic)}, n = {num(item.n, ",")})</span></h3><ul>{reasons}</ul>{body}'
                     "</section>")
    if len(flagged) > MAX_BAR_CHARTS:
        parts.append('<p class="dim">' + escape(_("{n} more flagged questions are in the table above.").format(
            n=len(flagged) - MAX_BAR_CHARTS)) + "</p>")
    return "\n".join(parts) or "<p>" + escape(_("No question is flagged.")) + "</p>"


def render_html(report: Report, input_note: str = "") -> str:
    title = _("Item analysis: {title}").format(title=report.pack_title)
    t = {text: escape(_(text)) for text in _TEXTS}
    topics = "".join("<tr>" + _cell(topic.title) + _cell(topic.questions, True) + _cell(num(topic.n, ","), True)
                     + _cell(figure(topic.mean_facility), True) + "</tr>" for topic in report.topics)
    left_out = "".join(f"<li>{escape(line.plain)}</li>" for line in left_out_lines(report))
    items = report.items
    scatter = charts.scatter(list(items)) if items else ""
    return f"""<!DOCTYPE html>
<html lang="{escape(language())}"><head><meta charset="utf-8"><title>{escape(title)}</title>
<style>{STYLE}</style></head>
<body>
<h1>{escape(title)}</h1>
<p>{escape(heading(report))}.
{escape(input_note)}</p>
<p><b>{t["Reliability:"]}</b> {escape(report.reliability.note)}</p>
<h2>{t["Facility and discrimination"]}</h2>
<figure>{scatter}</figure>
<h2>{t["Questions"]}</h2>
<p class="dim">{t[_LEGEND]}</p>
<table><tr><th>{t["question"]}</th><th>{t["topic"]}</th><th class="num">n</th><th class="num">p</th><th class="num">r</th>
<th class="num">D</th><th>{t["flags"]}</th></tr>
{_item_rows(report)}
</table>
<h2>{t["Topics"]}</h2>
<table><tr><th>{t["topic"]}</th><th class="num">{t["questions"]}</th><th class="num">{t["answers"]}</th>
<th class="num">{t["mean facility"]}</th></tr>{topics}</table>
<h2>{t["Flagged questions"]}</h2>
{_flagged_sections(report)}
<h2>{t["Left out"]}</h2>
{f"<ul>{left_out}</ul>" if left_out else "<p>" + t["Nothing: every answer is in the figures."] + "</p>"}
</body></html>
"""
