"""The byte-level BPE tokenizer of the word model: round trips, pre-splitting, merges, stored form."""
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.transformer.byte_bpe import (ByteBPETokenizer, byte_alphabet, from_alphabet,
                                         split_text, to_alphabet)
from engine.transformer.tokenizer import EOT, TokenizerDataError

TRAIN = ("the attention head looks at the previous token. the attention score is q·k. "
         "the policy and the reward model. Müller drinks café au lait. ") * 30


@pytest.fixture(scope="module")
def tok() -> ByteBPETokenizer:
    return ByteBPETokenizer.train(TRAIN, vocab_size=400)


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_any_text_round_trips_exactly(tok, text):
    assert tok.decode(tok.encode(text)) == text


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_pre_splitting_keeps_every_character(text):
    assert "".join(split_text(text)) == text


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("the attention policy Müller café ."))))
def test_no_token_spans_two_words(tok, text):
    """A space can only open a token: merges never cross a word boundary."""
    for i in tok.encode(text):
        piece = tok.vocab[i] if i != tok.eot_id else b""
        assert b" " not in piece[1:] or set(piece) == {ord(" ")}, piece


def test_named_hard_cases_round_trip_without_an_unknown_token(tok):
    for text in ("Müller", "café", "naïve façade", "👍🏽 and 🤖", "日本語のテキスト", "\t\n  two  spaces ", "a\u0301"):
        ids = tok.encode(text)
        assert tok.decode(ids) == text
        assert all(0 <= i < tok.eot_id for i in ids)  # bytes and merges only: no <unk>, never <eot>


def test_frequent_words_become_single_tokens_with_their_leading_space(tok):
    enc = tok.tokenize(" the attention head looks at the previous token")
    assert enc.tokens[:3] == [" the", " attention", " head"]
    assert " previous" in enc.tokens and " token" in enc.tokens
    assert len(enc.ids) == 8  # one token per word


def test_a_multibyte_character_split_over_byte_tokens_is_shown_as_bytes():
    tok = ByteBPETokenizer.train("plain ascii words only " * 20, vocab_size=300)
    tokens = tok.tokenize("ü").tokens
    assert tokens == ["⟨c3⟩", "⟨bc⟩"]
    assert tok.decode([tok.encode("ü")[0]]) == "\ufffd"  # half a character decodes to the replacement mark


def test_gpt2_pre_split_rule():
    assert split_text("Hello world's  big test 3.14!! x") == \
        ["Hello", " world", "'s", " ", " big", " test", " 3", ".", "14", "!!", " x"]


def test_eot_is_the_last_id_and_decodes_to_its_name(tok):
    assert tok.eot_id == tok.vocab_size - 1
    assert tok.itos[tok.eot_id] == EOT
    assert tok.decode(tok.encode("a b") + [tok.eot_id]) == "a b" + EOT


def test_training_is_deterministic_and_stops_at_the_asked_vocabulary(tok):
    again = ByteBPETokenizer.train(TRAIN, vocab_size=400)
    assert again.merges == tok.merges
    assert ByteBPETokenizer.train(TRAIN, vocab_size=300).vocab_size == 300
    # this short text runs out of pairs seen twice before 400: every repeated chunk is one token by then
    assert tok.vocab_size < 400
    chunks = split_text(TRAIN)
    assert all(len(tok.encode(chunk)) == 1 for chunk in set(chunks) if chunks.count(chunk) > 1)


def test_merges_are_stored_readably_and_rebuild_the_same_tokenizer(tok):
    data = tok.to_metadata()
    assert ["Ġ", "t"] in data["merges"]  # a space is written Ġ, as in GPT-2's merges.txt
    assert all(isinstance(a, str) and isinstance(b, str) for a, b in data["merges"])
    again = ByteBPETokenizer.from_metadata(data)
    assert again.encode(TRAIN) == tok.encode(TRAIN)
    assert again.itos == tok.itos


def test_byte_alphabet_is_a_printable_one_to_one_map():
    alphabet = byte_alphabet()
    assert len(set(alphabet)) == 256
    assert all(c.isprintable() and not c.isspace() for c in alphabet)
    data = bytes(range(256))
    assert from_alphabet(to_alphabet(data)) == data


@pytest.mark.parametrize("damage, message", [
    (lambda d: d.update(merges="nope"), "no list of merges"),
    (lambda d: d["merges"].append(["Ġt"]), "pair of non-empty strings"),
    (lambda d: d["merges"].append(["zz", "q"]), "no earlier merge made"),
    (lambda d: d["merges"].append(["\x00", "a"]), "not in the byte alphabet"),
    (lambda d: d["merges"].append(list(d["merges"][0])), "repeats merge 0"),
    (lambda d: d.update(vocab_size=5), "vocab_size"),
    (lambda d: d.update(kind="char"), "kind"),
])
def test_damaged_stored_merges_give_one_clear_error(tok, damage, message):
    data = tok.to_metadata()
    data["merges"] = [list(m) for m in data["merges"]]
    damage(data)
    with pytest.raises(TokenizerDataError, match=message):
        ByteBPETokenizer.from_metadata(data)
