"""What imdb and reuters do to their word-index sequences, as Keras does it."""
import numpy as np


def shuffled(rng, *arrays):
    """The arrays in one random order drawn from `rng` (a np.random.RandomState, as Keras uses)."""
    order = np.arange(len(arrays[0]))
    rng.shuffle(order)
    return [a[order] for a in arrays]


def offset(sequences, start_char, index_from):
    """Shift word indexes by `index_from`, and begin each sequence with `start_char` unless it is None."""
    head = [] if start_char is None else [start_char]
    return [head + [int(w) + index_from for w in x] for x in sequences]


def drop_long(maxlen, sequences, labels):
    """Keep the sequences shorter than maxlen (Keras keeps len < maxlen)."""
    kept = [(x, y) for x, y in zip(sequences, labels) if len(x) < maxlen]
    return [x for x, _ in kept], [y for _, y in kept]


def limit_vocabulary(sequences, num_words, skip_top, oov_char):
    """Words outside [skip_top, num_words) become oov_char, or are dropped when oov_char is None."""
    if not num_words:
        num_words = max(max(x) for x in sequences if x)
    if oov_char is not None:
        return [[w if skip_top <= w < num_words else oov_char for w in x] for x in sequences]
    return [[w for w in x if skip_top <= w < num_words] for x in sequences]


def as_object_array(sequences):
    array = np.empty(len(sequences), dtype=object)
    array[:] = sequences
    return array
