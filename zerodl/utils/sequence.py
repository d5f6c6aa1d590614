"""Datasets addressed by batch index, for fit/evaluate/predict (Keras `utils.Sequence`)."""


class Sequence:
    """Base class for datasets addressed by batch index (Keras `utils.Sequence` / `PyDataset`).

    Implement `__len__` (batches per epoch) and `__getitem__(index)` (one batch);
    `on_epoch_end` is called after every epoch (reshuffle there). The Keras 3 PyDataset arguments
    (workers, use_multiprocessing, max_queue_size) are accepted; batches are made in the calling thread.
    """

    def __init__(self, workers=1, use_multiprocessing=False, max_queue_size=10):
        self.workers, self.use_multiprocessing, self.max_queue_size = workers, use_multiprocessing, max_queue_size

    def __getitem__(self, index):
        raise NotImplementedError

    def __len__(self):
        raise NotImplementedError

    def on_epoch_end(self):
        pass

    def __iter__(self):
        for i in range(len(self)):
            yield self[i]


PyDataset = Sequence
