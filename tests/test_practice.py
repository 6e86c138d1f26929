"""Study logic without a screen: drawing, shuffling with pins, seeds, checking and scoring."""
import random
from collections import Counter
from pathlib import Path

import pytest

from question_bank.loader import load_pack
from quizapp.study.draw import draw_questions, shuffle_choices
from quizapp.study.feedback import feedback_markdown
from quizapp.study.practice import Item, PracticeSession

MINI = load_pack(Path(__file__).parent / "fixtures" / "mini.yaml").pack
BY_ID = {q.id: q for q in MINI.questions}


def test_pinned_choice_stays_in_place_and_the_rest_are_permuted():
    q = BY_ID["ppo-terms"]  # choice 3, "None of these", is pinned
    orders = {shuffle_choices(q, random.Random(seed)) for seed in range(200)}
    assert all(order[3] == 3 for order in orders)
    assert all(sorted(order) == [0, 1, 2, 3] for order in orders)
    assert len(orders) == 6  # every permutation of the three free choices shows up


def test_shuffle_is_roughly_uniform():
    q = BY_ID["dot-product"]
    firsts = Counter(shuffle_choices(q, random.Random(seed))[0] for seed in range(4000))
    assert set(firsts) == {0, 1, 2, 3}
    assert all(800 < n < 1200 for n in firsts.values()), firsts


def test_same_seed_same_session_other_seed_other_order():
    a = PracticeSession.start(MINI.questions, seed=42)
    b = PracticeSession.start(MINI.questions, seed=42)
    assert [(i.question.id, i.order) for i in a.items] == [(i.question.id, i.order) for i in b.items]
    sessions = {tuple((i.question.id, i.order) for i in PracticeSession.start(MINI.questions, seed=s).items)
                for s in range(30)}
    assert len(sessions) > 10


def test_draw_respects_topics_and_count():
    drawn = draw_questions(MINI.questions, {"ppo"}, 1, random.Random(0))
    assert len(drawn) == 1 and drawn[0].topic == "ppo"
    assert {q.id for q in draw_questions(MINI.questions, None, None, random.Random(0))} == set(BY_ID)
    assert draw_questions(MINI.questions, {"nope"}, 5, random.Random(0)) == []


def test_single_question_scoring_follows_the_shuffled_positions():
    q = BY_ID["dot-product"]
    item = Item(q, (2, 0, 3, 1))  # the correct choice (pack index 0) is shown second
    assert item.correct_positions == {1}
    assert item.is_correct(frozenset({1}))
    assert not item.is_correct(frozenset({0}))


def test_multiple_needs_exactly_the_correct_set():
    item = Item(BY_ID["ppo-terms"], (1, 2, 0, 3))  # correct pack indices 0, 1 → positions 2, 0
    assert item.correct_positions == {0, 2}
    assert item.is_correct(frozenset({0, 2}))
    assert not item.is_correct(frozenset({0}))          # a subset is not enough
    assert not item.is_correct(frozenset({0, 1, 2}))    # a superset is wrong too


def test_session_scores_and_summarises_by_topic():
    session = PracticeSession([Item(BY_ID["dot-product"], (0, 1, 2, 3)),
                               Item(BY_ID["pi-theta"], (0, 1, 2)),
                               Item(BY_ID["ppo-terms"], (0, 1, 2, 3))])
    assert not session.under_way
    assert session.answer({0}).correct
    assert session.under_way
    assert not session.answer({1}).correct
    assert session.answer({0, 1}).correct
    assert session.finished and not session.under_way
    s = session.summary()
    assert (s.right, s.total, round(s.percent)) == (2, 3, 67)
    assert {(t.topic, t.right, t.total) for t in s.by_topic} == {("attention", 1, 1), ("ppo", 1, 2)}
    assert [a.item.question.id for a in s.missed] == ["pi-theta"]


def test_single_question_rejects_two_answers_and_empty_answers():
    session = PracticeSession([Item(BY_ID["dot-product"], (0, 1, 2, 3))])
    with pytest.raises(ValueError):
        session.answer({0, 1})
    with pytest.raises(ValueError):
        session.answer(set())
    with pytest.raises(ValueError):
        session.answer({7})
    assert session.position == 0


def test_feedback_names_the_picked_and_the_correct_choice_with_their_whys():
    session = PracticeSession([Item(BY_ID["pi-theta"], (1, 0, 2))])
    answer = session.answer({0})  # shows pack choice 1, the discount factor
    text = feedback_markdown(answer)
    assert "Not quite" in text and "correct answer is **B**" in text
    assert "That is γ." in text                       # why of the picked choice
    assert "probability of the next token" in text    # why of the correct one
    assert "Rewards come from" not in text            # not the untouched distractor
    assert "The policy maps a state" in text          # explanation


def test_feedback_in_a_translation_gives_its_whys_and_keeps_the_original_where_it_has_none():
    question = BY_ID["dot-product"]
    session = PracticeSession([Item(question, (3, 1, 2, 0))])
    answer = session.answer({0})  # shows pack choice 3, the learning rate; the correct one is at D
    text = feedback_markdown(answer, question.localized("de"))
    assert "*Den Attention-Score.*: q·k ist groß, wenn Query und Key in dieselbe Richtung zeigen." in text
    assert "*Die Lernrate.*: That is an optimiser setting." in text
    assert "Jede Query wird per Skalarprodukt" in text

