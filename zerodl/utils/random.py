"""Reproducibility: one seed for every random draw zerodl makes."""
import random

from .. import config


def set_random_seed(seed):
    """Seed zerodl's generator (weights, dropout, shuffling), NumPy's global one and Python's."""
    random.seed(seed)
    config.xp.random.seed(seed)
    config.seed(seed)
