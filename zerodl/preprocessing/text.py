"""Text preprocessing with Keras 2 names: text_to_word_sequence, one_hot, Tokenizer."""
import json
from collections import OrderedDict, defaultdict

import numpy as np

DEFAULT_FILTERS = '!"#$%&()*+,-./:;<=>?@[\\]^_`{|}~\t\n'


def text_to_word_sequence(input_text, filters=DEFAULT_FILTERS, lower=True, split=" "):
    """'Hello, world!' -> ['hello', 'world']: lowercase, filter characters become separators, split."""
    if lower:
        input_text = input_text.lower()
    input_text = input_text.translate(str.maketrans({c: split for c in filters}))
    return [word for word in input_text.split(split) if word]


def one_hot(input_text, n, filters=DEFAULT_FILTERS, lower=True, split=" "):
    """Each word to an index in [1, n) by hashing (Keras 2 `one_hot`; collisions possible)."""
    import hashlib
    words = text_to_word_sequence(input_text, filters, lower, split)
    return [int(hashlib.md5(w.encode()).hexdigest(), 16) % (n - 1) + 1 for w in words]


class Tokenizer:
    """Maps words to indices 1, 2, ... by decreasing frequency (ties: first seen first).

    `num_words` keeps only the num_words - 1 most frequent words in texts_to_sequences/matrices;
    `oov_token` takes index 1 and stands in for words out of the vocabulary (else they are dropped).
    """

    def __init__(self, num_words=None, filters=DEFAULT_FILTERS, lower=True, split=" ", char_level=False,
                 oov_token=None, analyzer=None, document_count=0, **kwargs):
        if kwargs:
            raise TypeError(f"Unrecognized keyword arguments: {sorted(kwargs)}")
        self.num_words, self.filters, self.lower, self.split = num_words, filters, lower, split
        self.char_level, self.oov_token, self.analyzer = char_level, oov_token, analyzer
        self.word_counts = OrderedDict()
        self.word_docs = defaultdict(int)
        self.document_count = document_count
        self.word_index, self.index_word, self.index_docs = {}, {}, defaultdict(int)

    def _words(self, text):
        if self.char_level or isinstance(text, list):
            return [t.lower() for t in text] if self.lower and self.char_level else text
        if self.analyzer is not None:
            return self.analyzer(text)
        return text_to_word_sequence(text, self.filters, self.lower, self.split)

    def fit_on_texts(self, texts):
        """Count words over `texts` (strings, or lists of tokens) and rebuild word_index."""
        if isinstance(texts, str):
            texts = [texts]
        for text in texts:
            self.document_count += 1
            words = self._words(text)
            for w in words:
                self.word_counts[w] = self.word_counts.get(w, 0) + 1
            for w in set(words):
                self.word_docs[w] += 1
        counts = sorted(self.word_counts.items(), key=lambda item: item[1], reverse=True)  # stable
        vocabulary = ([self.oov_token] if self.oov_token is not None else []) + [w for w, _ in counts]
        self.word_index = {w: i for i, w in enumerate(vocabulary, start=1)}
        self.index_word = {i: w for w, i in self.word_index.items()}
        self.index_docs = defaultdict(int, {self.word_index[w]: c for w, c in self.word_docs.items()})

    def fit_on_sequences(self, sequences):
        """Count, for tf-idf, in how many sequences each index appears."""
        self.document_count += len(sequences)
        for seq in sequences:
            for i in set(seq):
                self.index_docs[i] += 1

    def texts_to_sequences(self, texts):
        return list(self.texts_to_sequences_generator(texts))

    def texts_to_sequences_generator(self, texts):
        if isinstance(texts, str):
            texts = [texts]
        oov = self.word_index.get(self.oov_token) if self.oov_token is not None else None
        for text in texts:
            seq = []
            for w in self._words(text):
                i = self.word_index.get(w)
                if i is not None and (not self.num_words or i < self.num_words):
                    seq.append(i)
                elif oov is not None:
                    seq.append(oov)
            yield seq

    def sequences_to_texts(self, sequences):
        return list(self.sequences_to_texts_generator(sequences))

    def sequences_to_texts_generator(self, sequences):
        oov = self.word_index.get(self.oov_token) if self.oov_token is not None else None
        for seq in sequences:
            words = []
            for i in seq:
                word = self.index_word.get(i)
                if word is not None and (not self.num_words or i < self.num_words):
                    words.append(word)
                elif oov is not None:
                    words.append(self.index_word[oov])
            yield " ".join(words)

    def texts_to_matrix(self, texts, mode="binary"):
        """(len(texts), num_words) with mode 'binary', 'count', 'freq' or 'tfidf'."""
        return self.sequences_to_matrix(self.texts_to_sequences(texts), mode=mode)

    def sequences_to_matrix(self, sequences, mode="binary"):
        if not self.num_words:
            if not self.word_index:
                raise ValueError("Specify a dimension (`num_words` argument), or fit on some text data first.")
            num_words = len(self.word_index) + 1
        else:
            num_words = self.num_words
        if mode not in ("binary", "count", "freq", "tfidf"):
            raise ValueError(f"Unknown vectorization mode: {mode}")
        if mode == "tfidf" and not self.document_count:
            raise ValueError("Fit the Tokenizer on some data before using tfidf mode.")
        x = np.zeros((len(sequences), num_words))
        for row, seq in enumerate(sequences):
            counts = defaultdict(int)
            for j in seq:
                if j < num_words:
                    counts[j] += 1
            for j, c in counts.items():
                if mode == "count":
                    x[row, j] = c
                elif mode == "freq":
                    x[row, j] = c / len(seq)
                elif mode == "binary":
                    x[row, j] = 1
                else:
                    idf = np.log(1 + self.document_count / (1 + self.index_docs.get(j, 0)))
                    x[row, j] = (1 + np.log(c)) * idf
        return x

    def get_config(self):
        return {"num_words": self.num_words, "filters": self.filters, "lower": self.lower, "split": self.split,
                "char_level": self.char_level, "oov_token": self.oov_token, "document_count": self.document_count,
                "word_counts": json.dumps(self.word_counts), "word_docs": json.dumps(self.word_docs),
                "index_docs": json.dumps(self.index_docs), "index_word": json.dumps(self.index_word),
                "word_index": json.dumps(self.word_index)}

    def to_json(self, **kwargs):
        return json.dumps({"class_name": self.__class__.__name__, "config": self.get_config()}, **kwargs)


def tokenizer_from_json(json_string):
    """A Tokenizer back from `Tokenizer.to_json()`."""
    config = dict(json.loads(json_string)["config"])
    state = {k: json.loads(config.pop(k)) for k in ("word_counts", "word_docs", "index_docs", "index_word",
                                                      "word_index")}
    tokenizer = Tokenizer(**config)
    tokenizer.word_counts = OrderedDict(state["word_counts"])
    tokenizer.word_docs = defaultdict(int, state["word_docs"])
    tokenizer.index_docs = defaultdict(int, {int(k): v for k, v in state["index_docs"].items()})
    tokenizer.index_word = {int(k): v for k, v in state["index_word"].items()}
    tokenizer.word_index = state["word_index"]
    return tokenizer
