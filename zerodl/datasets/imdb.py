"""IMDB movie reviews: 25,000 + 25,000 reviews as sequences of word indexes, labels 1/0 (positive/negative)."""
import json

import numpy as np

from . import _sequences as seq
from ._files import KERAS_DATASETS, get_file
from ._formats import load_npz

FILE_HASH = "69664113be75683a8fe16e3ed0ab59fda8886cb3cd7ada244f7d9544e4676b9f"
WORD_INDEX_HASH = "bfafd718b763782e994055a2d397834f"  # Keras publishes md5 for this one


def load_data(path="imdb.npz", num_words=None, skip_top=0, maxlen=None, seed=113, start_char=1, oov_char=2,
              index_from=3, **kwargs):
    """`(x_train, y_train), (x_test, y_test)`: object arrays of lists of word indexes, int labels.

    num_words keeps the most frequent words (others become oov_char), skip_top drops the most frequent
    ones, maxlen drops longer reviews, index_from shifts word indexes, start_char marks each start.
    """
    if kwargs:
        raise TypeError(f"load_data() got unexpected keyword argument(s) {sorted(kwargs)} (Keras 1's nb_words "
                        f"is num_words).")
    arrays = load_npz(get_file(path, KERAS_DATASETS + "imdb.npz", FILE_HASH))
    rng = np.random.RandomState(seed)  # one generator: train shuffled first, then test
    x_train, y_train = seq.shuffled(rng, arrays["x_train"], arrays["y_train"])
    x_test, y_test = seq.shuffled(rng, arrays["x_test"], arrays["y_test"])
    x_train = seq.offset(x_train, start_char, index_from)
    x_test = seq.offset(x_test, start_char, index_from)
    if maxlen:
        x_train, y_train = seq.drop_long(maxlen, x_train, y_train)
        x_test, y_test = seq.drop_long(maxlen, x_test, y_test)
        if not x_train or not x_test:
            raise ValueError(f"After filtering for sequences shorter than maxlen={maxlen}, no sequence was kept. "
                             f"Increase maxlen.")
    xs = seq.limit_vocabulary(x_train + x_test, num_words, skip_top, oov_char)
    labels = np.concatenate([np.asarray(y_train), np.asarray(y_test)])
    n = len(x_train)
    return (seq.as_object_array(xs[:n]), labels[:n]), (seq.as_object_array(xs[n:]), labels[n:])


def get_word_index(path="imdb_word_index.json"):
    """{word: index} (index 1 = the most frequent word; add index_from to match load_data's sequences)."""
    with open(get_file(path, KERAS_DATASETS + "imdb_word_index.json", WORD_INDEX_HASH)) as f:
        return json.load(f)
