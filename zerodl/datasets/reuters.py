"""Reuters newswires: 11,228 wires as sequences of word indexes, labelled with one of 46 topics."""
import json

import numpy as np

from . import _sequences as seq
from ._files import KERAS_DATASETS, get_file
from ._formats import load_npz

FILE_HASH = "d6586e694ee56d7a4e65172e12b3e987c03096cb01eab99753921ef915959916"
WORD_INDEX_HASH = "4d44cc38712099c9e383dc6e5f11a921"  # Keras publishes md5 for this one
LABEL_NAMES = (
    "cocoa", "grain", "veg-oil", "earn", "acq", "wheat", "copper", "housing", "money-supply", "coffee", "sugar",
    "trade", "reserves", "ship", "cotton", "carcass", "crude", "nat-gas", "cpi", "money-fx", "interest", "gnp",
    "meal-feed", "alum", "oilseed", "gold", "tin", "strategic-metal", "livestock", "retail", "ipi", "iron-steel",
    "rubber", "heat", "jobs", "lei", "bop", "zinc", "orange", "pet-chem", "dlr", "gas", "silver", "wpi", "hog",
    "lead")


def load_data(path="reuters.npz", num_words=None, skip_top=0, maxlen=None, test_split=0.2, seed=113,
              start_char=1, oov_char=2, index_from=3, **kwargs):
    """`(x_train, y_train), (x_test, y_test)`: object arrays of lists of word indexes, int topic labels;
    options as imdb.load_data, and test_split the fraction held out for testing."""
    if kwargs:
        raise TypeError(f"load_data() got unexpected keyword argument(s) {sorted(kwargs)}.")
    arrays = load_npz(get_file(path, KERAS_DATASETS + "reuters.npz", FILE_HASH))
    xs, labels = seq.shuffled(np.random.RandomState(seed), arrays["x"], arrays["y"])
    xs = seq.offset(xs, start_char, index_from)
    if maxlen:
        xs, labels = seq.drop_long(maxlen, xs, labels)
    xs = seq.limit_vocabulary(xs, num_words, skip_top, oov_char)
    cut = int(len(xs) * (1 - test_split))
    labels = np.asarray(labels)
    return (seq.as_object_array(xs[:cut]), labels[:cut]), (seq.as_object_array(xs[cut:]), labels[cut:])


def get_word_index(path="reuters_word_index.json"):
    """{word: index} (add index_from to match load_data's sequences)."""
    with open(get_file(path, KERAS_DATASETS + "reuters_word_index.json", WORD_INDEX_HASH)) as f:
        return json.load(f)


def get_label_names():
    """The 46 topic names, in label order."""
    return LABEL_NAMES
