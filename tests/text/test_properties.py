"""Property-based guards (hypothesis) for the Tokenizer and pad_sequences: any text, any
sequences, any settings never crash the interpreter and never give a silently wrong
answer (checked against plain-Python statements of the rules). Bounded: few examples,
a deadline each."""
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from seqlab.text import Tokenizer, pad_sequences, text_to_word_sequence, tokenizer_from_json

BOUNDED = settings(max_examples=60, deadline=2000, derandomize=True)
texts = st.lists(st.text(max_size=40), max_size=12)
weird_texts = st.lists(st.text(st.characters(codec="utf-8") | st.sampled_from(
    ["\ufeff", "\x00", "\u0130", "\u00df", "\r", "\n", "\t", " ", "!"]), max_size=30), max_size=10)


@BOUNDED
@given(weird_texts, st.sampled_from([None, 1, 2, 5]), st.sampled_from([None, "<OOV>"]),
       st.booleans(), st.booleans())
def test_tokenizer_indices_follow_the_rules(corpus, num_words, oov, lower, char_level):
    tokenizer = Tokenizer(num_words=num_words, oov_token=oov, lower=lower,
                          char_level=char_level)
    tokenizer.fit_on_texts(corpus)
    index = tokenizer.word_index
    assert sorted(index.values()) == list(range(1, len(index) + 1))
    if oov is not None:
        assert index[oov] == 1
    counts = tokenizer.word_counts
    words = [w for w in index if w != oov]
    # more frequent words come first (ties in first-seen order, Keras's stable sort)
    assert all(counts[a] >= counts[b] for a, b in zip(words, words[1:]))
    limit = num_words if num_words is not None else len(index) + 1
    for text, sequence in zip(corpus, tokenizer.texts_to_sequences(corpus)):
        # Keras: an index >= num_words becomes the OOV index (1), even when 1 >= num_words
        assert all(1 <= i < limit or (oov is not None and i == 1) for i in sequence)
        if not char_level and oov is None and num_words is None:
            expected = text_to_word_sequence(text, tokenizer.filters, lower, tokenizer.split)
            assert sequence == [index[w] for w in expected]
    again = tokenizer_from_json(tokenizer.to_json())
    assert again.word_index == index
    assert again.texts_to_sequences(corpus) == tokenizer.texts_to_sequences(corpus)


@BOUNDED
@given(texts, texts)
def test_unseen_texts_never_index_past_the_vocabulary(train, other):
    tokenizer = Tokenizer(oov_token="<OOV>").fit_on_texts(train) if train else None
    if tokenizer is None:
        return
    for sequence in tokenizer.texts_to_sequences(other):
        assert all(1 <= i <= len(tokenizer.word_index) for i in sequence)


def reference_pad(sequences, maxlen, padding, truncating, value):
    """The rule of Keras's pad_sequences in plain Python."""
    length = max((len(s) for s in sequences), default=0) if maxlen is None else maxlen
    rows = []
    for s in sequences:
        s = list(s)
        if len(s) > length:
            s = s[len(s) - length:] if truncating == "pre" else s[:length]
        fill = [value] * (length - len(s))
        rows.append(fill + s if padding == "pre" else s + fill)
    return rows, length


@settings(max_examples=80, deadline=2000, derandomize=True)
@given(st.lists(st.lists(st.integers(-2 ** 31, 2 ** 31 - 1), max_size=12), max_size=10),
       st.one_of(st.none(), st.integers(0, 15)), st.sampled_from(["pre", "post"]),
       st.sampled_from(["pre", "post"]), st.integers(-5, 5))
def test_pad_sequences_matches_the_rule(sequences, maxlen, padding, truncating, value):
    if not sequences and maxlen is None:
        with pytest.raises(ValueError, match="no sequences and maxlen=None"):
            pad_sequences(sequences)
        return
    padded = pad_sequences(sequences, maxlen=maxlen, padding=padding, truncating=truncating,
                           value=value, dtype="int64")
    rows, length = reference_pad(sequences, maxlen, padding, truncating, value)
    assert padded.shape == (len(sequences), length)
    assert padded.tolist() == rows


@settings(max_examples=40, deadline=2000, derandomize=True)
@given(st.one_of(st.integers(-3, -1), st.floats(allow_nan=True), st.text(max_size=3)),
       st.sampled_from(["pre", "post", "middle", 1]))
def test_pad_sequences_refuses_bad_settings_with_a_value_error(maxlen, padding):
    try:
        pad_sequences([[1, 2], [3]], maxlen=maxlen, padding=padding)
    except (ValueError, TypeError) as error:
        assert str(error)
    else:
        assert padding in ("pre", "post") and isinstance(maxlen, float) and maxlen >= 0


@pytest.mark.parametrize("sequences, message", [
    ([["a", "b"]], r"sequence at position 0 cannot be read as int32 .*dtype=object"),
    ([[1, 2], [[3, 4], 5]], r"sequence at position 1 cannot be read"),
    ([[[1, 2], [3]]], r"steps of the sequence at position 0 have different shapes"),
])
def test_pad_sequences_names_the_sequence_it_cannot_read(sequences, message):
    with pytest.raises(ValueError, match=message):
        pad_sequences(sequences)


def test_tokenizer_json_nested_too_deep_is_a_value_error():
    with pytest.raises(ValueError, match="nested too deep"):
        tokenizer_from_json("[" * 100000 + "]" * 100000)
