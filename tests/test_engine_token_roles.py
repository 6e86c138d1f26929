"""Token-level head roles and the induction test on hand-made models whose answers are known; the words view by hand."""
from dataclasses import dataclass

import numpy as np
import pytest

from engine.errors import ProbeError
from engine.probes.words import query_index, word_spans, words_view
from engine.transformer import token_roles
from engine.transformer.tokenizer import CharTokenizer


@dataclass
class ToyConfig:
    n_layer: int = 2
    n_head: int = 3
    block_size: int = 64


class TwoLayerToy:
    """Attention weights written by hand, as a two-layer model would have them after training:

    layer 0: head 0 looks at the previous token, head 1 at itself, head 2 spreads evenly;
    layer 1: head 0 is an induction head (from token t, the key after the last earlier t; else position 0),
             head 1 looks at position 0 (a sink), head 2 at the latest earlier punctuation token (id 0).
    """

    cfg = ToyConfig()

    def forward(self, ids, trace=True):
        ids = list(np.asarray(ids))
        T = len(ids)
        w = np.zeros((2, 3, T, T))
        for i in range(T):
            w[0, 0, i, max(i - 1, 0)] = 1
            w[0, 1, i, i] = 1
            w[0, 2, i, : i + 1] = 1 / (i + 1)
            earlier = [j for j in range(i) if ids[j] == ids[i] and j + 1 <= i]
            w[1, 0, i, earlier[-1] + 1 if earlier else 0] = 1
            w[1, 1, i, 0] = 1
            punct = [j for j in range(1, i) if ids[j] == 0]
            w[1, 2, i, punct[-1] if punct else i] = 1
        return None, {"layers": [{"weights": w[0]}, {"weights": w[1]}]}


def test_induction_score_is_one_for_the_induction_head_and_known_for_the_others():
    model = TwoLayerToy()
    L = 10
    sequences = token_roles.induction_sequences(list(range(5, 50)), start_id=1, length=L, count=6, seed=0)
    assert all(len(s) == 2 * L + 1 and s[1:L + 1] == s[L + 1:] and len(set(s[1:L + 1])) == L for s in sequences)
    scores = token_roles.induction_scores(model, sequences)
    assert scores[1, 0] == pytest.approx(1.0)            # the induction head
    assert scores[0, 0] == pytest.approx(0.0)            # previous token: i − 1 is never the induction key here
    assert scores[0, 1] == pytest.approx(0.0)            # current token
    assert scores[1, 1] == pytest.approx(0.0)            # the sink at position 0
    # uniform: weight 1/(i + 1) on the target of each query i = L+1 … 2L
    expected = np.mean([1 / (i + 1) for i in range(L + 1, 2 * L + 1)])
    assert scores[0, 2] == pytest.approx(expected)


def test_roles_from_statistics_name_every_hand_made_head():
    rng = np.random.default_rng(0)
    ids = rng.integers(1, 40, size=400).tolist()
    for k in range(5, 400, 9):
        ids[k] = 0                                       # a punctuation token every nine tokens
    result = token_roles.label_heads(TwoLayerToy(), ids, window=40, punct_ids={0},
                                     induction_tokens=list(range(1, 40)), start_id=0, induction_length=12)
    roles = [[h["role"] for h in layer] for layer in result["heads"]]
    assert roles == [["previous token", "current token", "broad/averaging"],
                     ["induction", "first token", "punctuation"]]
    prev = result["heads"][0][0]
    assert prev["scores"]["previous token"] == pytest.approx(1.0) and prev["top_key_share"]["previous token"] == 1.0
    assert result["heads"][0][2]["entropy"] == pytest.approx(1.0)   # a uniform row has the entropy of uniform
    assert result["heads"][1][0]["induction"] == pytest.approx(1.0)


def test_punctuation_tokens_are_symbols_only():
    itos = ["a", ".", " ,", " the", "?!", " ", "<eot>", "3"]
    assert token_roles.punctuation_ids(itos, eot_id=6) == {1, 2, 4, 6}


def test_words_view_by_hand_on_the_char_model_grain():
    tok = CharTokenizer.train("it is")
    enc = tok.tokenize("it is")
    words = word_spans(tok, enc, "it is")
    assert words == [("it", 0, 2), ("is", 2, 5)]           # the space belongs to the word after it
    w = np.array([[1.0, 0, 0, 0, 0],
                  [0.6, 0.4, 0, 0, 0],
                  [0.5, 0.3, 0.2, 0, 0],
                  [0.1, 0.1, 0.2, 0.6, 0],
                  [0.2, 0.2, 0.2, 0.2, 0.2]])
    view = words_view(w, words, query=3)
    # row "it": mean over 'i', 't' of the weight on 'i','t' → (1 + 1) / 2; on " is" → 0
    # row "is": mean over ' ', 'i', 's' of the weight on 'i','t' → (0.8 + 0.2 + 0.4) / 3
    assert np.allclose(view["word_weights"], [[1.0, 0.0], [1.4 / 3, 1.6 / 3]])
    assert view["word_labels"] == ["it", "is"] and view["query_word"] == 1
    assert view["word_mask"].tolist() == [[True, False], [True, True]]
    assert "mean over the query word" in view["aggregation"] and "sum over the key word" in view["aggregation"]


def test_query_by_index_or_word_and_one_clear_error_otherwise():
    tok = CharTokenizer.train("the cat sat")
    enc = tok.tokenize("the cat sat")
    words = word_spans(tok, enc, "the cat sat")
    assert query_index("5", enc.tokens, words) == 5
    assert query_index("Cat", enc.tokens, words) == 3      # the word's first token: the space before "cat"
    assert query_index(None, enc.tokens, words) is None
    with pytest.raises(ProbeError, match=r"'dog' is not a word of the text; its words are 'the', 'cat', 'sat'"):
        query_index("dog", enc.tokens, words)
    with pytest.raises(ProbeError, match="between 0 and 10"):
        query_index("11", enc.tokens, words)
