"""zerodl: deep learning from zero on NumPy, with the Keras API."""
from . import _malloc

_malloc.settle()
from . import (activations, backend, callbacks, initializers, layers, losses, metrics, models, optimizers,
               regularizers, utils)
from .models import Model, Sequential

__version__ = "0.1.0"
