"""Utilities with Keras names: to_categorical, normalize, set_random_seed."""
from . import np_utils
from .np_utils import normalize, to_categorical
from .random import set_random_seed
