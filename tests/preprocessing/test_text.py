"""Tokenizer and text_to_word_sequence with the Keras 2 rules."""
import numpy as np
import pytest

from zerodl.preprocessing.text import Tokenizer, one_hot, text_to_word_sequence, tokenizer_from_json

TEXTS = ["The cat sat on the mat.", "The dog sat!", "A cat, a dog; the end"]


def test_text_to_word_sequence():
    assert text_to_word_sequence("Hello, World! It's  me.") == ["hello", "world", "it's", "me"]
    assert text_to_word_sequence("A-B c", filters="", lower=False) == ["A-B", "c"]
    assert text_to_word_sequence("a;b;c", split=";") == ["a", "b", "c"]


def test_word_index_by_frequency_then_first_seen():
    tokenizer = Tokenizer()
    tokenizer.fit_on_texts(TEXTS)
    assert tokenizer.word_index == {"the": 1, "cat": 2, "sat": 3, "dog": 4, "a": 5, "on": 6, "mat": 7, "end": 8}
    assert tokenizer.word_counts["the"] == 4 and tokenizer.word_docs["the"] == 3 and tokenizer.document_count == 3
    assert tokenizer.index_word[2] == "cat"
    assert tokenizer.texts_to_sequences(["the cat ate the mat"]) == [[1, 2, 1, 7]]


def test_num_words_and_oov_token():
    tokenizer = Tokenizer(num_words=4, oov_token="<OOV>")
    tokenizer.fit_on_texts(TEXTS)
    assert tokenizer.word_index["<OOV>"] == 1 and tokenizer.word_index["the"] == 2
    # only indices below num_words are kept; the others become the OOV index
    assert tokenizer.texts_to_sequences(["the cat dog zebra"]) == [[2, 3, 1, 1]]
    assert tokenizer.sequences_to_texts([[2, 3, 9]]) == ["the cat <OOV>"]
    plain = Tokenizer(num_words=3)
    plain.fit_on_texts(TEXTS)
    assert plain.texts_to_sequences(["the cat sat zebra"]) == [[1, 2]]


def test_texts_to_matrix_modes():
    tokenizer = Tokenizer()
    tokenizer.fit_on_texts(TEXTS)
    binary = tokenizer.texts_to_matrix(["the the cat"])
    assert binary.shape == (1, 9) and binary[0, 1] == 1 and binary[0, 2] == 1 and binary.sum() == 2
    counts = tokenizer.texts_to_matrix(["the the cat"], mode="count")
    assert counts[0, 1] == 2
    np.testing.assert_allclose(tokenizer.texts_to_matrix(["the the cat"], mode="freq")[0, 1], 2 / 3)
    tfidf = tokenizer.texts_to_matrix(["the end"], mode="tfidf")
    assert tfidf[0, 8] > tfidf[0, 1] > 0  # a rare word weighs more than a common one
    with pytest.raises(ValueError, match="Unknown vectorization mode"):
        tokenizer.texts_to_matrix(TEXTS, mode="max")
    with pytest.raises(ValueError, match="num_words"):
        Tokenizer().texts_to_matrix(["x"])
    limited = Tokenizer(num_words=3)
    limited.fit_on_texts(TEXTS)
    assert limited.texts_to_matrix(TEXTS).shape == (3, 3)


def test_char_level_lists_and_json():
    chars = Tokenizer(char_level=True)
    chars.fit_on_texts(["abba", "Ac"])
    assert chars.word_index == {"a": 1, "b": 2, "c": 3}
    tokens = Tokenizer(lower=False)
    tokens.fit_on_texts([["New", "York"], ["New"]])
    assert tokens.texts_to_sequences([["New", "York", "City"]]) == [[1, 2]]
    tokenizer = Tokenizer(num_words=5, oov_token="?")
    tokenizer.fit_on_texts(TEXTS)
    clone = tokenizer_from_json(tokenizer.to_json())
    assert clone.word_index == tokenizer.word_index and clone.num_words == 5
    assert clone.texts_to_sequences(TEXTS) == tokenizer.texts_to_sequences(TEXTS)


def test_one_hot_hashing():
    indices = one_hot("the cat the", 10)
    assert len(indices) == 3 and indices[0] == indices[2] and all(1 <= i < 10 for i in indices)
