"""timeseries_dataset_from_array: sliding windows over a series, in batches of (x, y)."""
import numpy as np

from .sequence import Sequence


class TimeseriesDataset(Sequence):
    """A Sequence of batches (x (batch, sequence_length, ...), y) -- or x alone without targets --
    so `model.fit(dataset)` takes it."""

    def __init__(self, data, targets, positions, offsets, start_index, batch_size):
        self.data, self.targets, self.positions = data, targets, positions
        self.offsets, self.start_index, self.batch_size = offsets, start_index, batch_size

    def __len__(self):
        if self.batch_size is None:
            return len(self.positions)
        return -(-len(self.positions) // self.batch_size)

    def __getitem__(self, index):
        if not -len(self) <= index < len(self):
            raise IndexError(f"batch index {index} out of range for {len(self)} batches")
        index %= len(self)
        if self.batch_size is None:
            starts = self.positions[index:index + 1]
        else:
            starts = self.positions[index * self.batch_size:(index + 1) * self.batch_size]
        starts = starts + self.start_index
        x = self.data[starts[:, None] + self.offsets]
        if self.batch_size is None:
            x = x[0]
        if self.targets is None:
            return x
        y = self.targets[starts] if self.batch_size is not None else self.targets[starts[0]]
        return x, y


def timeseries_dataset_from_array(data, targets, sequence_length, sequence_stride=1, sampling_rate=1,
                                  batch_size=128, shuffle=False, seed=None, start_index=None, end_index=None):
    """Windows data[i : i + sequence_length * sampling_rate : sampling_rate], i = 0, sequence_stride, ...
    within [start_index, end_index); the target of the window starting at i is targets[i] (pass
    targets shifted by sequence_length to predict the next value). Returns an iterable of batches."""
    data = np.asarray(data)
    for name, value in (("sequence_length", sequence_length), ("sequence_stride", sequence_stride),
                        ("sampling_rate", sampling_rate)):
        if value <= 0:
            raise ValueError(f"`{name}` must be higher than 0. Received: {name}={value}")
    if batch_size is not None and batch_size <= 0:
        raise ValueError(f"`batch_size` must be higher than 0. Received: batch_size={batch_size}")
    start_index = 0 if start_index is None else start_index
    end_index = len(data) if end_index is None else end_index
    if not 0 <= start_index < len(data):
        raise ValueError(f"`start_index` must be 0 <= start_index < len(data)={len(data)}. Received: "
                         f"start_index={start_index}")
    if not start_index < end_index <= len(data):
        raise ValueError(f"`end_index` must be start_index < end_index <= len(data)={len(data)}. Received: "
                         f"end_index={end_index}")
    count = end_index - start_index - (sequence_length - 1) * sampling_rate
    if targets is not None:
        targets = np.asarray(targets)
        count = min(count, len(targets) - start_index)
    positions = np.arange(0, max(count, 0), sequence_stride)
    if shuffle:
        np.random.default_rng(seed).shuffle(positions)
    offsets = np.arange(sequence_length) * sampling_rate
    return TimeseriesDataset(data, targets, positions, offsets, start_index, batch_size)
