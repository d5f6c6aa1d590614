"""Datasets with Keras's loaders (`from zerodl.datasets import mnist; mnist.load_data()`) and the
course's CSV files (`zerodl.datasets.course.load('banknotes')`).

Files are shared with Keras: they live in ~/.keras/datasets (or $KERAS_HOME/datasets), are downloaded
once from Keras's URLs, checked against Keras's hashes and written atomically. Offline, the error says
which file to place where. Nothing is unpickled beyond numpy arrays.
"""
from . import boston_housing, cifar10, cifar100, course, fashion_mnist, imdb, mnist, reuters
from ._files import DatasetNotFoundError

__all__ = ["boston_housing", "cifar10", "cifar100", "course", "fashion_mnist", "imdb", "mnist", "reuters",
           "DatasetNotFoundError"]
