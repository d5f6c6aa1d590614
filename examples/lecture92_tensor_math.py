"""Lecture 92: tensors -- arrays with more than two axes, a colour image as a tensor, tensor operations.

Run: python examples/lecture92_tensor_math.py [--plot out.png]
The same operations run on zerodl tensors (zerodl.backend) and give NumPy's results.
"""
import argparse

import numpy as np

import zerodl.backend as K


def main(plot=None, seed=0):
    np.random.seed(seed)
    A = np.random.randint(10, size=(2, 3, 4, 5))
    B = np.random.randint(10, size=(2, 3))
    print("A[0, 1, 0, 3] =", A[0, 1, 0, 3])

    # A random colored image: a (4, 4, 3) tensor, one 4x4 matrix per color channel
    img = np.random.randint(255, size=(4, 4, 3), dtype='uint8')

    # Tensor operations: elementwise, then contractions over chosen axes
    double, total = 2 * A, A + A
    contracted = np.tensordot(A, B, axes=([0, 1], [0, 1]))  # sum over the two shared axes -> (4, 5)
    outer = np.tensordot(A, B, axes=([0], [0]))  # contract one axis -> (3, 4, 5, 3)
    print("tensordot shapes:", contracted.shape, outer.shape)

    # The same with zerodl tensors: elementwise ops and a contraction written as reshape + dot
    a = K.variable(A)
    z_double = K.get_value(2 * a)
    z_contracted = K.get_value(K.dot(K.reshape(K.transpose(a, (2, 3, 0, 1)), (20, 6)), K.reshape(K.constant(B), (6,))))
    result = {"A_shape": A.shape, "image_shape": img.shape, "tensordot_01_shape": contracted.shape,
              "tensordot_0_shape": outer.shape, "double_matches": bool(np.array_equal(z_double, double)),
              "sum_matches": bool(np.array_equal(total, double)),
              "contraction_matches": bool(np.allclose(z_contracted.reshape(4, 5), contracted))}
    if plot:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        plt.figure(figsize=(10, 10))
        for i, (channel, cmap) in enumerate(zip(range(3), ["Reds", "Greens", "Blues"])):
            plt.subplot(221 + i)
            plt.imshow(img[:, :, channel], cmap=cmap)
            plt.title(f"{cmap[:-1]} channel")
        plt.subplot(224)
        plt.imshow(img)
        plt.title("All channels combined")
        plt.savefig(plot)
    return result


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--plot", help="save the image channels to this file (needs matplotlib)")
    print(main(parser.parse_args().plot))
