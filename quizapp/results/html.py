"""The item analysis as one self-contained HTML file: tables, and charts as inline SVG.

No script, no stylesheet or font from the network: the file can be mailed or opened offline.
Every text that comes from a pack or a result file is escaped.
"""
from __future__ import annotations

from html import escape

from quizapp.results import charts
from quizapp.results.analysis import ItemStats, Report
from quizapp.results.terminal import figure, left_out_lines, sorted_items

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
        letter = f'<span class="key">{c.letter} ✓ key</span>' if c.key else escape(c.letter)
        rows.append(f"<tr><td>{letter}</td>" + _cell(c.count, True) + _cell(f"{c.share:.0%}", True)
                    + _cell("–" if c.upper is None else f"{c.upper:.0%}", True)
                    + _cell("–" if c.lower is None else f"{c.lower:.0%}", True) + "</tr>")
    head = ('<tr><th>choice</th><th class="num">chosen</th><th class="num">all</th>'
            '<th class="num">upper 27 %</th><th class="num">lower 27 %</th></tr>')
    return f"<table>{head}{''.join(rows)}</table>"


def _flagged_sections(report: Report) -> str:
    flagged = [item for item in sorted_items(report) if any(f.kind != "few" for f in item.flags)]
    parts = []
    for item in flagged[:MAX_BAR_CHARTS]:
        reasons = "".join(f"<li>{escape(f.reason)}</li>" for f in item.flags)
        body = (f"<figure>{charts.distractor_bars(item)}</figure>{_choice_table(item)}" if item.choices
                else '<p class="dim">A calculated question: its choices are drawn per attempt, so there is no '
                     "distractor analysis.</p>")
        parts.append(f'<section class="item"><h3>{escape(item.question)} '
                     f'<span class="dim">({escape(item.topic)}, n = {item.n})</span></h3><ul>{reasons}</ul>{body}'
                     "</section>")
    if len(flagged) > MAX_BAR_CHARTS:
        parts.append(f'<p class="dim">{len(flagged) - MAX_BAR_CHARTS} more flagged questions are in the table '
                     "above.</p>")
    return "\n".join(parts) or "<p>No question is flagged.</p>"


def render_html(report: Report, input_note: str = "") -> str:
    version = f" {report.pack_version}" if report.pack_version else ""
    title = f"Item analysis: {report.pack_title}"
    topics = "".join("<tr>" + _cell(t.title) + _cell(t.questions, True) + _cell(f"{t.n:,}", True)
                     + _cell(figure(t.mean_facility), True) + "</tr>" for t in report.topics)
    left_out = "".join(f"<li>{escape(line.plain)}</li>" for line in left_out_lines(report))
    items = report.items
    scatter = charts.scatter(list(items)) if items else ""
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{escape(title)}</title>
<style>{STYLE}</style></head>
<body>
<h1>{escape(title)}</h1>
<p>{escape(report.pack_id + version)} · mode {escape(report.mode)} · {report.learners:,}
learner{"s" if report.learners != 1 else ""} · {report.answers:,} first attempt{"s" if report.answers != 1 else ""}.
{escape(input_note)}</p>
<p><b>Reliability:</b> {escape(report.reliability.note)}</p>
<h2>Facility and discrimination</h2>
<figure>{scatter}</figure>
<h2>Questions</h2>
<p class="dim">n answers · p facility (share correct) · r point-biserial correlation with the rest score ·
D upper–lower index (top 27 % minus bottom 27 % by rest score). Sorted by flags.</p>
<table><tr><th>question</th><th>topic</th><th class="num">n</th><th class="num">p</th><th class="num">r</th>
<th class="num">D</th><th>flags</th></tr>
{_item_rows(report)}
</table>
<h2>Topics</h2>
<table><tr><th>topic</th><th class="num">questions</th><th class="num">answers</th>
<th class="num">mean facility</th></tr>{topics}</table>
<h2>Flagged questions</h2>
{_flagged_sections(report)}
<h2>Left out</h2>
{f"<ul>{left_out}</ul>" if left_out else "<p>Nothing: every answer is in the figures.</p>"}
</body></html>
"""
