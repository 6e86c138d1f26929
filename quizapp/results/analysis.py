"""Item analysis of a class's answers to one pack, the way Moodle's quiz statistics do it.

Per question, over each learner's first attempt:

- facility p: the share of learners who answered correctly;
- point-biserial r: the correlation of the item (0/1) with the rest score, the learner's
  share correct on the other questions they answered (for learners who answered every
  question this is the classic rest-score correlation; scaling does not change r);
- upper–lower index D: p in the top 27 % of learners by rest score minus p in the bottom 27 %;
- distractor analysis: the share of learners choosing each choice, overall and in each group;
- flags with one-line reasons (thresholds below).

For the set: facility per topic, and KR-20 over the learners who answered every question
of the report. Everything works on flat per-answer arrays grouped with numpy's bincount,
so memory and time grow with the number of answers, never with learners × questions.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from question_bank.models import AnyQuestion, CalculatedQuestion, Pack
from quizapp.i18n import _, ngettext, num, shown_title
from quizapp.results.format import MODES, PRACTICE_MODES
from quizapp.results.reading import Answers, InputProblem

LETTERS = "ABCDEFGH"
TOO_EASY = 0.9
TOO_HARD = 0.2
WEAK = 0.2
DEAD_DISTRACTOR = 0.05
GROUP_SHARE = 0.27
FEW_ANSWERS = 10      # below this many answers a question's figures are noise
MIN_COMPLETE = 5      # learners who answered every question, for KR-20
CALCULATED_CHOICES = 8  # a drawn calculated question's choices are its own; any index below this is accepted

# Flag kinds, most serious first: the terminal table is sorted by them.
SEVERITY = ("negative", "key-beaten", "weak", "dead-distractor", "too-hard", "too-easy", "few")


@dataclass(frozen=True)
class ChoiceStats:
    index: int
    letter: str
    key: bool
    count: int
    share: float
    upper: float | None
    lower: float | None


@dataclass(frozen=True)
class Flag:
    kind: str
    reason: str  # one line for the HTML report and JSON
    short: str   # the same, short enough for a terminal table cell


@dataclass(frozen=True)
class ItemStats:
    question: str
    topic: str
    type: str
    n: int
    facility: float | None
    point_biserial: float | None
    upper_lower: float | None
    group_size: int  # learners in each of the upper and lower groups
    choices: tuple[ChoiceStats, ...]  # empty for calculated questions: their choices differ per draw
    flags: tuple[Flag, ...]

    @property
    def severity(self) -> int:
        return min((SEVERITY.index(f.kind) for f in self.flags), default=len(SEVERITY))


@dataclass(frozen=True)
class TopicStats:
    topic: str
    title: str
    questions: int  # questions with answers
    n: int          # first attempts
    mean_facility: float | None


@dataclass(frozen=True)
class Reliability:
    kr20: float | None
    learners: int   # learners who answered every question of the report
    questions: int
    note: str       # one sentence: the figure, or why there is none


@dataclass(frozen=True)
class Group:
    """Answers left out of the analysis, with why: another pack version, a vanished question..."""
    name: str | None
    answers: int
    learners: int


@dataclass(frozen=True)
class Report:
    pack_id: str
    pack_title: str
    pack_version: str | None
    mode: str
    learners: int
    answers: int  # first attempts analysed
    items: tuple[ItemStats, ...]  # pack order; questions nobody answered are left out
    unanswered: tuple[str, ...]
    topics: tuple[TopicStats, ...]
    reliability: Reliability
    other_versions: tuple[Group, ...]
    vanished: tuple[Group, ...]
    other_packs: tuple[Group, ...]
    other_modes: int
    key_disagreements: tuple[Group, ...]  # name: question; recorded `correct` differs from the pack's key
    problems: tuple[InputProblem, ...]    # lines that do not fit the pack (a choice it does not have)


def analyse(answers: Answers, pack: Pack, mode: str = "all") -> Report:
    """The item analysis of `answers` against `pack`; `mode`: exam, practice (practice, review,
    drill) or all."""
    n = len(answers)
    pack_col = _column(answers.pack, np.int32, n)
    learner = _column(answers.learner, np.int32, n)
    version = _column(answers.version, np.int32, n)
    question = _column(answers.question, np.int32, n)
    mode_col = _column(answers.mode, np.int8, n)
    picked = _column(answers.picked, np.uint64, n)
    correct = _column(answers.correct, np.int8, n).astype(np.float64)
    at = _column(answers.at, np.float64, n)

    keep = np.ones(n, dtype=bool)
    in_pack = pack_col == answers.packs.find(pack.id)
    other_packs = _groups(answers.packs.names, pack_col[~in_pack], learner[~in_pack])
    keep &= in_pack
    wanted_modes = {"exam": ("exam",), "practice": PRACTICE_MODES, "all": MODES}[mode]
    mode_ok = np.isin(mode_col, [MODES.index(m) for m in wanted_modes])
    other_modes = int(np.count_nonzero(keep & ~mode_ok))
    keep &= mode_ok
    version_ok = version == answers.versions.find(pack.version)
    other_versions = _groups(answers.versions.names, version[keep & ~version_ok], learner[keep & ~version_ok])
    keep &= version_ok

    # Map the results' question ids to positions in the pack; -1 for questions that are gone.
    questions = list(pack.questions)
    by_id = {q.id: i for i, q in enumerate(questions)}
    position_of = np.array([by_id.get(name, -1) for name in answers.questions.names] or [-1], dtype=np.int64)
    position = position_of[question] if n else np.zeros(0, np.int64)
    gone = keep & (position < 0)
    vanished = _groups(answers.questions.names, question[gone], learner[gone])
    keep &= position >= 0

    # A choice the pack's question does not have: the line does not fit this version of the pack.
    limit = np.array([_choice_count(q) for q in questions] or [0], dtype=np.uint64)
    too_big = keep & (picked >> limit[np.maximum(position, 0)] != 0)
    problems = tuple(InputProblem(*answers.where(int(i)),
                                  _("question '{id}' has no choice {choice} in version {version} of the pack").format(
                                      id=questions[position[i]].id, choice=_highest(int(picked[i])),
                                      version=pack.version or _("(none)")))
                     for i in np.flatnonzero(too_big)[:100])
    keep &= ~too_big

    # Each learner's first attempt per question (ties in time: the earlier line).
    rows = np.flatnonzero(keep)
    order = rows[np.lexsort((rows, at[rows], position[rows], learner[rows]))]
    pair = learner[order].astype(np.int64) * len(questions) + position[order]
    first = order[np.r_[True, pair[1:] != pair[:-1]]] if len(order) else order
    return _report(answers, pack, mode, questions, learner[first], position[first], correct[first],
                   picked[first], problems, other_versions, vanished, other_packs, other_modes)


def _report(answers: Answers, pack: Pack, mode: str, questions: list[AnyQuestion], learner: np.ndarray,
            position: np.ndarray, x: np.ndarray, picked: np.ndarray, problems: tuple[InputProblem, ...],
            other_versions: tuple[Group, ...], vanished: tuple[Group, ...], other_packs: tuple[Group, ...],
            other_modes: int) -> Report:
    k = len(questions)
    # Learners renumbered 0..L-1 among those left.
    learners, learner = np.unique(learner, return_inverse=True)
    score = np.bincount(learner, weights=x, minlength=len(learners))
    answered = np.bincount(learner, minlength=len(learners))
    others = answered[learner] - 1
    with np.errstate(invalid="ignore", divide="ignore"):
        rest = np.where(others > 0, (score[learner] - x) / np.maximum(others, 1), np.nan)

    n = np.bincount(position, minlength=k)
    right = np.bincount(position, weights=x, minlength=k)
    r = _point_biserial(position, x, rest, k)
    upper, lower, group = _groups_27(position, rest, learner, k)
    p_upper = _share(np.bincount(position, weights=x * upper, minlength=k), group)
    p_lower = _share(np.bincount(position, weights=x * lower, minlength=k), group)

    disagree = _key_disagreements(questions, position, x, picked)
    chosen = _chosen(position, picked, upper, lower, k)
    items: list[ItemStats] = []
    for i, q in enumerate(questions):
        if n[i] == 0:
            continue
        choices = () if isinstance(q, CalculatedQuestion) else _choices(q, chosen[:, :, i], int(n[i]), int(group[i]))
        facility = right[i] / n[i]
        d = None if group[i] == 0 else float(p_upper[i] - p_lower[i])
        rho = None if np.isnan(r[i]) else float(r[i])
        items.append(ItemStats(q.id, q.topic, q.type, int(n[i]), float(facility), rho, d, int(group[i]), choices,
                               _flags(int(n[i]), float(facility), rho, choices)))
    topics = tuple(_topic(t.id, shown_title(t), items) for t in pack.topics
                   if any(item.topic == t.id for item in items))
    reliability = _kr20(learner, position, x, [i for i in range(k) if n[i] > 0])
    return Report(pack.id, shown_title(pack), pack.version, mode, len(learners), int(len(x)), tuple(items),
                  tuple(q.id for i, q in enumerate(questions) if n[i] == 0), topics, reliability, other_versions,
                  vanished, other_packs, other_modes, disagree, problems)


def _column(values: Sequence[float], dtype: type, n: int) -> np.ndarray:
    """A typed array of the reader as a numpy array, without copying."""
    return np.frombuffer(values, dtype=dtype, count=n) if n else np.zeros(0, dtype)


def _choice_count(q: AnyQuestion) -> int:
    return CALCULATED_CHOICES if isinstance(q, CalculatedQuestion) else len(q.choices)


def _highest(bits: int) -> int:
    return bits.bit_length() - 1


def _groups(names: list[str | None], codes: np.ndarray, learner: np.ndarray) -> tuple[Group, ...]:
    """Answers and distinct learners per name, most answers first."""
    out = []
    for code in np.unique(codes):
        mask = codes == code
        out.append(Group(names[code], int(np.count_nonzero(mask)), int(len(np.unique(learner[mask])))))
    return tuple(sorted(out, key=lambda g: (-g.answers, str(g.name))))


def _share(count: np.ndarray, total: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total > 0, count / np.maximum(total, 1), np.nan)


def _point_biserial(position: np.ndarray, x: np.ndarray, rest: np.ndarray, k: int) -> np.ndarray:
    """Pearson's r of item score and rest score per question, from per-question sums."""
    valid = ~np.isnan(rest)
    pos, xv, rv = position[valid], x[valid], rest[valid]
    m = np.bincount(pos, minlength=k).astype(np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_x = np.bincount(pos, weights=xv, minlength=k) / m
        mean_r = np.bincount(pos, weights=rv, minlength=k) / m
        cov = np.bincount(pos, weights=xv * rv, minlength=k) / m - mean_x * mean_r
        var_x = mean_x * (1 - mean_x)
        var_r = np.bincount(pos, weights=rv * rv, minlength=k) / m - mean_r ** 2
        r = cov / np.sqrt(var_x * var_r)
    degenerate = (m < 2) | (var_x <= 1e-12) | (var_r <= 1e-12)
    return np.where(degenerate, np.nan, np.clip(r, -1.0, 1.0))


def _groups_27(position: np.ndarray, rest: np.ndarray, learner: np.ndarray,
               k: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per answer: in the question's upper 27 % by rest score, in its lower 27 %; per question: group size."""
    valid = np.flatnonzero(~np.isnan(rest))
    m = np.bincount(position[valid], minlength=k)
    group = np.floor(GROUP_SHARE * m + 0.5).astype(np.int64)
    group = np.where(2 * group <= m, group, m // 2)
    # Sort by question, then rest score; equal rest scores in learner order, so the split is reproducible.
    order = valid[np.lexsort((learner[valid], rest[valid], position[valid]))]
    start = np.concatenate(([0], np.cumsum(m)[:-1]))
    rank = np.arange(len(order)) - start[position[order]]
    upper = np.zeros(len(position))
    lower = np.zeros(len(position))
    lower[order] = rank < group[position[order]]
    upper[order] = rank >= (m - group)[position[order]]
    return upper, lower, group


def _chosen(position: np.ndarray, picked: np.ndarray, upper: np.ndarray, lower: np.ndarray,
            k: int) -> np.ndarray:
    """How many learners chose each choice, per question: [all / upper / lower, choice, question]."""
    out = np.zeros((3, CALCULATED_CHOICES, k))
    for c in range(CALCULATED_CHOICES):
        bit = ((picked >> np.uint64(c)) & np.uint64(1)).astype(np.float64)
        for g, weight in enumerate((bit, bit * upper, bit * lower)):
            out[g, c] = np.bincount(position, weights=weight, minlength=k)
    return out


def _choices(q: AnyQuestion, chosen: np.ndarray, n: int, group: int) -> tuple[ChoiceStats, ...]:
    return tuple(ChoiceStats(c, LETTERS[c], choice.correct, int(chosen[0, c]), float(chosen[0, c]) / n,
                             float(chosen[1, c]) / group if group else None,
                             float(chosen[2, c]) / group if group else None)
                 for c, choice in enumerate(q.choices))


def _flags(n: int, p: float, r: float | None, choices: tuple[ChoiceStats, ...]) -> tuple[Flag, ...]:
    flags = []
    if r is not None and r < 0:
        flags.append(Flag("negative", _("negative discrimination: r = {r}; stronger learners get it wrong more often "
                                        "than weaker ones: check the key and the wording").format(r=num(r, "+.2f")),
                          _("negative r {r}: check the key").format(r=num(r, "+.2f"))))
    keys = [c for c in choices if c.key and c.upper is not None]
    if keys:
        weakest = min(keys, key=lambda c: c.upper or 0.0)  # with several keys: the one least chosen
        beaten = [c for c in choices if not c.key and (c.upper or 0.0) > (weakest.upper or 0.0)]
        if beaten:
            flags.append(Flag("key-beaten", _("the upper group chose {choices} more often than the key {key} "
                                              "({share})").format(choices=_listed(beaten, "upper"), key=weakest.letter,
                                                                  share=_percent(weakest.upper or 0.0)),
                              _("upper group prefers {letters} to the key").format(
                                  letters=", ".join(c.letter for c in beaten))))
    if r is not None and 0 <= r < WEAK:
        flags.append(Flag("weak", _("weak discrimination: r = {r} (under {limit})").format(
            r=num(r, ".2f"), limit=num(WEAK, ".2f")), _("weak r {r}").format(r=num(r, ".2f"))))
    dead = [c for c in choices if not c.key and c.share < DEAD_DISTRACTOR]
    if dead:
        flags.append(Flag("dead-distractor", ngettext(
            "{choices} chosen by under {limit} of learners: it does not distract",
            "{choices} chosen by under {limit} of learners: they do not distract", len(dead)).format(
                choices=_listed(dead, "share"), limit=_dead_limit()),
            _("{choices} under {limit}").format(choices=_listed(dead, "share"), limit=_dead_limit())))
    if p < TOO_HARD:
        flags.append(Flag("too-hard", _("too hard: p = {p} (under {limit})").format(p=num(p, ".2f"),
                                                                                   limit=num(TOO_HARD, ".2f")),
                          _("too hard p {p}").format(p=num(p, ".2f"))))
    if p > TOO_EASY:
        flags.append(Flag("too-easy", _("too easy: p = {p} (over {limit})").format(p=num(p, ".2f"),
                                                                                  limit=num(TOO_EASY, ".2f")),
                          _("too easy p {p}").format(p=num(p, ".2f"))))
    if n < FEW_ANSWERS:
        flags.append(Flag("few", ngettext("only {n} answer: the figures are rough",
                                          "only {n} answers: the figures are rough", n).format(n=n),
                          ngettext("only {n} answer", "only {n} answers", n).format(n=n)))
    return tuple(flags)


def _listed(choices: list[ChoiceStats], figure: str) -> str:
    """"distractor C (2 %)" or "distractors C (2 %), D (0 %)"."""
    parts = [f"{c.letter} ({_percent(getattr(c, figure))})" for c in choices]
    return ngettext("distractor {list}", "distractors {list}", len(parts)).format(list=", ".join(parts))


def _dead_limit() -> str:
    return num(DEAD_DISTRACTOR * 100, ".0f") + "%"


def _percent(share: float) -> str:
    """A share as a percentage; small ones with a decimal, so 4.8 % does not read as the 5 % limit."""
    return num(share * 100, ".1f" if share < 0.1 else ".0f") + "%"


def _key_disagreements(questions: list[AnyQuestion], position: np.ndarray, x: np.ndarray,
                       picked: np.ndarray) -> tuple[Group, ...]:
    """Questions whose recorded right/wrong differs from the pack's key: the key changed without a new version."""
    key_bits = np.array([0 if isinstance(q, CalculatedQuestion) else sum(1 << c for c in q.correct_indices)
                         for q in questions] or [0], dtype=np.uint64)
    ordinary = np.array([not isinstance(q, CalculatedQuestion) for q in questions] or [False])
    graded = (picked == key_bits[position]).astype(np.float64)
    wrong = ordinary[position] & (graded != x)
    counts = np.bincount(position[wrong], minlength=len(questions))
    return tuple(Group(questions[i].id, int(counts[i]), 0) for i in np.flatnonzero(counts))


def _topic(topic: str, title: str, items: list[ItemStats]) -> TopicStats:
    mine = [item for item in items if item.topic == topic]
    facilities = [item.facility for item in mine if item.facility is not None]
    return TopicStats(topic, title, len(mine), sum(item.n for item in mine),
                      float(np.mean(facilities)) if facilities else None)


def _kr20(learner: np.ndarray, position: np.ndarray, x: np.ndarray, report_items: list[int]) -> Reliability:
    k = len(report_items)
    if k < 2:
        return Reliability(None, 0, k, _("KR-20 needs at least two questions with answers"))
    answered = np.bincount(learner, minlength=int(learner.max()) + 1 if len(learner) else 0)
    complete = np.flatnonzero(answered == k)
    if len(complete) < MIN_COMPLETE:
        return Reliability(None, int(len(complete)), k,
                           ngettext("not enough overlap: {n} learner answered all {k} questions, KR-20 needs at least "
                                    "{least}",
                                    "not enough overlap: {n} learners answered all {k} questions, KR-20 needs at least "
                                    "{least}", len(complete)).format(n=len(complete), k=k, least=MIN_COMPLETE))
    column = np.full(int(position.max()) + 1, -1)
    column[report_items] = np.arange(k)
    row = np.full(len(answered), -1)
    row[complete] = np.arange(len(complete))
    mine = row[learner] >= 0
    matrix = np.zeros((len(complete), k))
    matrix[row[learner[mine]], column[position[mine]]] = x[mine]
    p = matrix.mean(axis=0)
    variance = matrix.sum(axis=1).var()
    if variance <= 1e-12:
        return Reliability(None, int(len(complete)), k,
                           _("every one of the {n} learners who answered all {k} questions has the same score, so "
                             "KR-20 is undefined").format(n=len(complete), k=k))
    kr20 = k / (k - 1) * (1 - float((p * (1 - p)).sum()) / float(variance))
    return Reliability(kr20, int(len(complete)), k,
                       _("KR-20 = {kr20} over {n} learners who answered all {k} questions").format(
                           kr20=num(kr20, ".2f"), n=len(complete), k=k))
