"""Lectures 93-95: convolution in 1-D and 2-D, and image filters, by hand and with zerodl layers.

Run: python examples/lecture94_convolutions.py [--data-dir DIR] [--plot out.png]
Data: course/iss.jpg from DIR ($ZERODL_DATA_DIR, else ../shared/data), read with Pillow as a 512x512
grayscale image (the course used SciPy's 512x512 `ascent` picture).

A convolution flips its kernel; a Conv layer (like Keras') does not: it computes a cross-correlation.
So np.convolve(a, b) is Conv1D with the kernel b reversed, and convolve2d(img, k) is Conv2D with k
flipped on both axes -- which this example checks.
"""
import argparse
import os
import pathlib

import numpy as np

from zerodl.layers import Conv1D, Conv2D
from zerodl.models import Sequential
from zerodl.preprocessing.image import img_to_array, load_img

EXAMPLES = pathlib.Path(__file__).resolve().parent


def load_course_image(data_dir=None, size=(512, 512)):
    """iss.jpg as a float32 (rows, cols) grayscale array, resized to `size` (needs Pillow)."""
    data_dir = pathlib.Path(data_dir or os.environ.get("ZERODL_DATA_DIR") or EXAMPLES.parent.parent / "shared" / "data")
    path = next((p for p in (data_dir / "course" / "iss.jpg", data_dir / "iss.jpg") if p.is_file()), None)
    if path is None:
        raise FileNotFoundError(f"iss.jpg is not in {data_dir}: pass --data-dir or set ZERODL_DATA_DIR.")
    return img_to_array(load_img(path, color_mode="grayscale", target_size=size))[:, :, 0]


def convolve2d(img, kernel):
    """'full' 2-D convolution in NumPy (scipy.signal.convolve2d's default): a loop over kernel offsets."""
    kh, kw = kernel.shape
    out = np.zeros((img.shape[0] + kh - 1, img.shape[1] + kw - 1), dtype=np.float64)
    for i in range(kh):
        for j in range(kw):
            out[i:i + img.shape[0], j:j + img.shape[1]] += kernel[i, j] * img
    return out


def conv_layer(kernel, shape):
    """A Conv2D(1, kernel.shape) model on (rows, cols, 1) images whose kernel is set with set_weights."""
    model = Sequential([Conv2D(1, kernel.shape, input_shape=shape + (1,), use_bias=False)])
    model.set_weights([np.asarray(kernel, "float32").reshape(kernel.shape + (1, 1))])
    return model


def main(data_dir=None, plot=None):
    # 1-D convolution: a step up and a step down, found by the difference kernel
    a = np.array([0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0], dtype='float32')
    b = np.array([-1, 1], dtype='float32')
    c = np.convolve(a, b)
    print("np.convolve(a, b):", c)
    conv1d = Sequential([Conv1D(1, 2, input_shape=(15, 1), use_bias=False)])
    conv1d.set_weights([b[::-1].reshape(2, 1, 1)])  # the layer does not flip: reverse the kernel
    c_layer = conv1d.predict(a.reshape(1, 15, 1))[0, :, 0]

    # 2-D convolution of an image with edge and blur filters
    img = load_course_image(data_dir)
    print("image shape:", img.shape)
    kernels = {"horizontal edges": np.array([[1, 2, 1], [0, 0, 0], [-1, -2, -1]], dtype='float32'),
               "vertical edges": np.array([[1, 0, -1], [2, 0, -2], [1, 0, -1]], dtype='float32'),
               "blur": np.ones((5, 5), dtype='float32') / 25}
    filtered, errors = {}, {}
    for name, kernel in kernels.items():
        res = convolve2d(img, kernel)  # scipy.signal.convolve2d(img, kernel), 'full' mode
        kh, kw = kernel.shape
        valid = res[kh - 1:img.shape[0], kw - 1:img.shape[1]]  # the part where the kernel lies inside the image
        by_layer = conv_layer(kernel[::-1, ::-1], img.shape).predict(img.reshape((1,) + img.shape + (1,)))[0, :, :, 0]
        errors[name] = float(np.abs(by_layer - valid).max() / (np.abs(valid).max() + 1e-12))
        filtered[name] = res
        print(f"{name}: full convolution {res.shape}, Conv2D {by_layer.shape}, relative difference {errors[name]:.1e}")
    if plot:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        fig, axes = plt.subplots(1, 4, figsize=(20, 5))
        axes[0].imshow(img, cmap='gray')
        axes[0].set_title("image")
        for ax, (name, res) in zip(axes[1:], filtered.items()):
            ax.imshow(res, cmap='gray')
            ax.set_title(name)
        fig.savefig(plot)
    return {"convolve_1d": c.tolist(), "conv1d_layer_1d": c_layer.tolist(), "image_shape": img.shape,
            "filtered_shapes": {k: v.shape for k, v in filtered.items()}, "layer_vs_convolution": errors,
            "edges_found_at": np.nonzero(c)[0].tolist()}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data-dir")
    parser.add_argument("--plot", help="save the filtered images to this file (needs matplotlib)")
    args = parser.parse_args()
    main(args.data_dir, args.plot)
