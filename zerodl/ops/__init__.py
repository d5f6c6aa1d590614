"""Differentiable array ops, by family. Each op class pairs a forward with its VJP."""
from .activations import (elu, gelu, hard_sigmoid, log_softmax, relu, selu, sigmoid, softmax,
                          softplus, softsign, swish, tanh)
from .elementwise import (abs, add, cast, clip, divide, exp, log, maximum, minimum, multiply,
                          negative, power, sqrt, square, subtract, where)
from .linalg import affine, matmul
from .losses import (binary_cross_entropy, mean_squared_error, sigmoid_cross_entropy,
                     softmax_cross_entropy, sparse_softmax_cross_entropy)
from .reduce import max, mean, min, sum
from .shape import concatenate, expand_dims, flatten, getitem, reshape, squeeze, stack, transpose
