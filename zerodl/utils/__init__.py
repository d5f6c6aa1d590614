"""Utilities with Keras names: to_categorical, normalize, set_random_seed, Sequence, plotting."""
from . import np_utils
from .np_utils import normalize, to_categorical
from .plotting import get_activations, plot_activations, plot_decision_boundary, plot_history, plot_model
from .random import set_random_seed
from .sequence import PyDataset, Sequence
from .timeseries import timeseries_dataset_from_array
