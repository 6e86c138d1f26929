"""HTML of Moodle question texts to the Markdown the TUI shows: one case per rule, and what is noted."""
from __future__ import annotations

import pytest
from markdown_it import MarkdownIt

from question_bank.interchange.html_markdown import Reference, escape_markdown, html_to_markdown


@pytest.mark.parametrize("html,markdown", [
    ("<p>one</p><p>two</p>", "one\n\ntwo"),
    ("a<br>b<br/><br />c", "a\\\nb\n\nc"),
    ("<b>bold</b>, <strong>strong</strong>, <i>it</i>, <em>em</em>, <s>gone</s>", "**bold**, **strong**, *it*, *em*, ~~gone~~"),
    ('<span style="font-weight: bold">b</span> <span style="font-style:italic">i</span>', "**b** *i*"),
    ("x <b> spaced </b>y<b></b>", "x **spaced** y"),
    ("<b>two<br>lines</b>", "**two**\\\n**lines**"),
    ("<ul><li>a</li><li>b<ul><li>c</li></ul></li></ul>", "- a\n- b\n  - c"),
    ('<ol start="3"><li><p>x</p></li><li><p>y</p></li></ol>', "3. x\n4. y"),
    ("use <code>a*b</code> or <tt>x`y</tt>", "use `a*b` or ``x`y``"),
    ("<pre>if x:\n    y = 2*3</pre>", "```\nif x:\n    y = 2*3\n```"),
    ("x<sup>2</sup>, H<sub>2</sub>O, r<sub>t</sub>, L<sup>CLIP</sup>, x<sub>t+1</sub>", "x², H₂O, r_t, L^CLIP, x_(t+1)"),
    ("&amp; &lt;b&gt; &eacute; &#8730; &#x3b8; &nbsp;", "& \\<b> é √ θ"),
    ("2*3*4 and _x_ and [y]", "2\\*3\\*4 and \\_x\\_ and \\[y]"),
    ("<p># one</p><p>1. two</p><p>- three</p>", "\\# one\n\n1\\. two\n\n\\- three"),
    ('<a href="https://example.org/a b">site</a>', "[site](<https://example.org/a b>)"),
    ("<h3>Title</h3>text<hr>end", "**Title**\n\ntext\n\n---\n\nend"),
    ("<!-- hidden -->shown<?php x ?><![CDATA[ <raw> ]]>", "shown \\<raw>"),
    ("a < b > c <3", "a < b > c <3"),
])
def test_each_rule(html, markdown):
    result = html_to_markdown(html)
    assert result.text == markdown and result.notes == []


@pytest.mark.parametrize("html,markdown,note", [
    ("<table><tr><td>a</td><td>b</td></tr><tr><td>1</td><td>2</td></tr></table>", "a | b\\\n1 | 2",
     "a table is kept as text, a row per line with cells separated by '|': the TUI cannot show tables"),
    ("<script>alert(1)</script>kept", "kept", "a <script> element is left out"),
    ('<iframe src="https://example.org/v"></iframe>', "[embedded page: v](https://example.org/v)",
     "an embedded page is kept as a link: the TUI cannot show it"),
    ("<math><mi>x</mi></math>", "x", "MathML is kept as plain text"),
    ("before<!-- never closed", "before", "an unclosed <!-- comment hides the rest of the text"),
])
def test_what_cannot_be_shown_is_kept_as_text_with_a_note(html, markdown, note):
    result = html_to_markdown(html)
    assert (result.text, result.notes) == (markdown, [note])


def test_images_and_links_are_resolved_by_the_caller():
    saved = {"@@PLUGINFILE@@/map.png": Reference("map.png", "quiz.media/map.png")}
    result = html_to_markdown('<img src="@@PLUGINFILE@@/map.png" alt="a map"> <img src="https://x.org/p.png" '
                              'alt="photo"> <a href="@@PLUGINFILE@@/map.png"><img src="@@PLUGINFILE@@/map.png"></a>',
                              saved.get)
    assert result.text == ("[image: map.png](quiz.media/map.png) [image: photo](https://x.org/p.png) "
                           "[[image: map.png]](quiz.media/map.png)")


def test_the_markdown_shows_the_same_characters_as_the_html():
    # Independent check: CommonMark's own renderer turns the escaped text back into the original characters.
    text = "2*3*4, a_b, _c_, `d`, [e](f), <g>, &amp;, # h"
    rendered = MarkdownIt("commonmark").render(escape_markdown(text))
    assert rendered == "<p>" + text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;") + "</p>\n"
