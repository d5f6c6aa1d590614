"""Keras layers: `from zerodl.layers import Dense, Dropout, Input`."""
from .base import Layer
from .core import Activation, Dense, Dropout, Flatten, Input, InputLayer, Lambda, Reshape
from .symbolic import KerasTensor
