"""Hostile inputs shared by the property-based tests and benchmarks/fuzz.py.

Each list holds values a careless or malicious author could type, chosen from
the classes that once broke the app (explicit YAML tags whose constructor
rejects the value, numbers too large for a float, unbounded format specs,
line breaks editors do not count, aliases that explode). `mutate_yaml` and
`mutate_text` apply a few of them to a seed text, at a place a seeded
`random.Random` picks, and say what they did.
"""
from __future__ import annotations

import random
import re

HUGE_INT = "9" * 400

# Scalars that may replace any value of a pack, as YAML text.
SCALARS = (
    "!!bool maybe", '!!int ""', "!!int abc", '!!float ""', "!!float abc", "!!timestamp foo",
    "!!timestamp 2001-99-99", "0b_", "0x_", "0o_", "0b", "!!binary '!!!'", "!!null x", "!!str",
    "!!python/object:os.system x", "!!set {a: 1}", "!!omap [a]", "!!pairs [a]", "!!merge x", "!!value x",
    "!weird x", "!<tag:example.com,2000:x> y", ".nan", ".inf", "-.inf", "1e999", "-1e999", HUGE_INT,
    "-" + HUGE_INT, "0x" + "f" * 300, "1_000_000", "2001-12-14t21:59:43.10-05:00", "~", '""', "[]", "{}",
    "[1, [2, [3]]]", "{a: {b: {c: 1}}}", '"\\ud800"', '"\\x00"', "'{:>99999999999}'", "'{:.999999999f}'",
    "'{:,.1000000f}'", "'{:c}'", "'{:=+#0100000,.5%}'", "'{}{}'", "'{'", "'}'", "-1", "0", "2", "1.5",
    "true", "false", "yes", "null", "'x'", "9223372036854775808", "-9223372036854775809", "1e308",
)

# Template fields and format specs for calculated questions.
SPECS = (">99999999999", ".999999999f", ",.100000000f", "c", "x", "=+#0100000,.5%", "99999999999999999999",
         ".2f", "<5", "{", "}", "!r", "a" * 50, ".1000f", "0" * 1000 + "5", ">{x}", "%", "n", "s")

# Unicode that YAML reads as a line break but most editors do not, and other odd characters.
ODD_TEXT = ("\r", "\x85", "\u2028", "\u2029", "\r\n", "\t", "\ufeff", "\x00", "\x1b[31m", "\ud7ff", "é",
            "\U0001f600")

# A key with a value on the same line, in block or flow style: `correct: true`, `{pos: 3, i: 1}`.
_TEMPLATE_FIELD = re.compile(r"\{(\w*)(?::[^{}\n]*)?\}")
_PAIR = re.compile(r"([\w-]+):[ ]+('[^'\n]*'|\"[^\"\n]*\"|[^\s,{}\[\]#|>&*!'\"][^\n,{}\[\]#]*)")


def mutate_yaml(text: str, rng: random.Random, steps: int | None = None) -> tuple[str, list[str]]:
    """`text` with 1 to 3 hostile changes, and a description of each."""
    done: list[str] = []
    for _ in range(steps or rng.choice((1, 1, 1, 2, 2, 3))):
        lines = text.split("\n")
        op = rng.choice(("value",) * 8 + ("spec", "spec", "template", "template", "big", "big", "type", "odd",
                                           "odd", "line", "bytes", "alias", "nest", "truncate", "indent"))
        pairs = [m for m in _PAIR.finditer(text) if op in ("value", "big", "type")
                 or (op == "spec" and m.group(1) == "format" and rng.random() < 0.5)]
        if pairs:
            m = rng.choice(pairs)
            new = {"value": lambda: rng.choice(SCALARS),
                   "big": lambda: rng.choice((HUGE_INT, "-" + HUGE_INT, "1" + "0" * rng.randint(20, 400))),
                   "spec": lambda: f"'{{:{rng.choice(SPECS)}}}'",
                   "type": lambda: rng.choice(("[a, b]", "{x: 1}", "&a [*a]", "[[[1]]]"))}[op]()
            text = text[:m.start(2)] + new + text[m.end(2):]
            done.append(f"line {text.count(chr(10), 0, m.start()) + 1}: {m.group(1)} -> {new[:40]!r}")
            continue
        if op in ("spec", "template"):
            # A template field or a choice format that is already there gets a hostile spec.
            fields = list(_TEMPLATE_FIELD.finditer(text))
            if fields:
                m = rng.choice(fields)
                name = m.group(1) if rng.random() < 0.8 else rng.choice(("answer", "value", "nope", "r.__class__"))
                new = f"{{{name}:{rng.choice(SPECS)}}}"
                text = text[:m.start()] + new + text[m.end():]
                done.append(f"line {text.count(chr(10), 0, m.start()) + 1}: {m.group(0)[:20]} -> {new[:40]!r}")
                continue
        if op == "line" and len(lines) > 1:
            i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
            kind = rng.choice(("delete", "duplicate", "swap"))
            if kind == "delete":
                del lines[i]
            elif kind == "duplicate":
                lines.insert(j, lines[i])
            else:
                lines[i], lines[j] = lines[j], lines[i]
            done.append(f"{kind} line {i + 1}")
        elif op == "odd":
            i = rng.randrange(len(text) + 1)
            odd = rng.choice(ODD_TEXT)
            text = text[:i] + odd + text[i:]
            done.append(f"inserted {odd!r} at {i}")
            continue
        elif op == "bytes":
            done.append("invalid UTF-8 at a random place")
            i = rng.randrange(len(text) + 1)
            return text[:i] + "\udcff" + text[i:], done  # written with surrogateescape: a lone 0xff byte
        elif op == "alias":
            bomb = "x-bomb: &a [" + ", ".join(["x"] * 9) + "]\n" + "".join(
                f"x-b{n}: &a{n} [" + ", ".join([f"*a{n - 1 if n > 1 else ''}"] * 9) + "]\n" for n in range(1, 9))
            lines.append(rng.choice((bomb, "x-self: &s [*s]", "x-ref: *missing", "<<: {format: 2}")))
            done.append("aliases")
        elif op == "nest":
            depth = rng.choice((40, 200, 5000))
            lines.append("x-deep: " + "[" * depth + "]" * depth)
            done.append(f"nesting {depth}")
        elif op == "truncate":
            cut = rng.randrange(len(text) + 1)
            text = text[:cut]
            done.append(f"truncated at {cut}")
            continue
        elif op == "indent" and lines:
            i = rng.randrange(len(lines))
            lines[i] = " " * rng.choice((1, 3, 7)) + lines[i]
            done.append(f"indented line {i + 1}")
        text = "\n".join(lines)
    return text, done


def mutate_text(text: str, rng: random.Random, snippets: tuple[str, ...], steps: int | None = None) -> tuple[str, list[str]]:
    """An importer's input with 1 to 3 changes: snippets, odd characters, cuts, repeats."""
    done: list[str] = []
    for _ in range(steps or rng.randint(1, 3)):
        op = rng.choice(("snippet", "snippet", "odd", "truncate", "repeat", "delete"))
        i = rng.randrange(len(text) + 1)
        if op == "snippet":
            s = rng.choice(snippets)
            text = text[:i] + s + text[i:]
            done.append(f"inserted {s[:40]!r} at {i}")
        elif op == "odd":
            s = rng.choice(ODD_TEXT)
            text = text[:i] + s + text[i:]
            done.append(f"inserted {s!r} at {i}")
        elif op == "truncate":
            text = text[:i]
            done.append(f"truncated at {i}")
        elif op == "repeat":
            j = min(len(text), i + rng.randint(1, 200))
            text = text[:j] + text[i:j] * rng.randint(2, 50) + text[j:]
            done.append(f"repeated {j - i} characters at {i}")
        else:
            j = min(len(text), i + rng.randint(1, 50))
            text = text[:i] + text[j:]
            done.append(f"deleted {j - i} characters at {i}")
    return text, done


GIFT_SNIPPETS = ("{", "}", "::", "::t::", "$CATEGORY: a/b", "=", "~", "#", "####", "~%50%", "~%-100%", "~%abc%",
                 "\\", "\\{", "{=a ~b}", "{T}", "{FALSE#no}", "{#1:2}", "{=a -> b}", "[html]", "[markdown]", "//",
                 "{" * 50, "}" * 50, "=" * 100, "~%" + "9" * 300 + "%x", "\n\n", "{1:MC:=a~b}")
AIKEN_SNIPPETS = ("ANSWER: A", "ANSWER: Z", "ANSWER:", "ANSWER: AB", "A. x", "B) y", "Z. z", "\n\n", "A.", "a. x",
                  "ANSWER: " + "A" * 100, "Q?\n" + "".join(f"{c}. o{c}\n" for c in "ABCDEFGHIJ") + "ANSWER: J")
XML_SNIPPETS = ("<", ">", "&", "&amp;", "&#0;", "&#xFFFFFFFF;", "&bogus;", "<![CDATA[", "]]>", "<!-- x -->",
                '<question type="multichoice">', "</question>", '<answer fraction="abc">', '<answer fraction="1e999">',
                '<answer fraction="' + "9" * 300 + '">', "<single>maybe</single>", "<text></text>",
                '<!DOCTYPE quiz [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>',
                '<!DOCTYPE quiz [<!ENTITY x SYSTEM "file:///etc/passwd">]>', "&x;", "<a>" * 2000,
                '<question type="category"><category><text>$course$/top/A//B</text></category></question>',
                "\x00", '<?xml version="1.0" encoding="latin-1"?>')
