"""The character-level and BPE tokenizers, and the corpus they are trained on."""
from engine.data import make_corpus
from engine.transformer.tokenizer import EOT, UNK, BPETokenizer, CharTokenizer

TEXT = "The attention score is q·k / √d_k, then a softmax."


def test_char_tokenizer_gives_every_character_its_own_number_and_round_trips():
    tok = CharTokenizer.train("abc the attention score is q·k / √d_k, softmax. T")
    ids = tok.encode(TEXT)
    assert len(ids) == len(TEXT)
    assert tok.decode(ids) == TEXT
    assert tok.itos[:2] == [UNK, EOT]
    assert len(set(tok.encode("abc"))) == 3


def test_unknown_characters_become_unk_and_are_reported_not_raised():
    tok = CharTokenizer.train("hello world")
    enc = tok.tokenize("héllo wörld!")
    assert enc.unknown == [1, 7, 11]
    assert enc.unknown_chars == ["é", "ö", "!"]
    assert enc.tokens[1] == UNK and enc.ids[1] == tok.unk_id
    assert tok.decode(enc.ids) == "h<unk>llo w<unk>rld<unk>"


def test_bpe_learns_frequent_words_as_single_tokens_and_round_trips():
    text = "the attention, the attention, the attention of the token. " * 20
    char = CharTokenizer.train(text)
    bpe = BPETokenizer.train(text, char, num_merges=40)
    enc = bpe.tokenize(" the attention")
    assert enc.tokens == [" the", " attention"]
    assert bpe.decode(bpe.encode(text)) == text
    assert len(bpe.encode(text)) < len(char.encode(text)) / 3
    # rebuilt from its merges (as when loaded from the metadata), it encodes the same way
    again = BPETokenizer(char, bpe.merges)
    assert again.encode(text) == bpe.encode(text)


def test_bpe_reports_unknown_characters_too():
    char = CharTokenizer.train("the token the token")
    bpe = BPETokenizer.train("the token the token", char, num_merges=10)
    enc = bpe.tokenize("the tökén")
    assert [enc.tokens[p] for p in enc.unknown] == [UNK, UNK]
    assert enc.unknown_chars == ["ö", "é"]


def test_committed_corpus_is_what_the_generator_writes():
    assert make_corpus.CORPUS.read_text(encoding="utf-8") == make_corpus.build()


def test_corpus_is_english_prose_about_the_course():
    text = make_corpus.CORPUS.read_text(encoding="utf-8")
    assert 200_000 < len(text) < 500_000
    for word in ("attention", "token", "embedding", "positional encoding", "softmax", "RLHF", "PPO", "KL", "reward"):
        assert text.count(word) >= 20, word
