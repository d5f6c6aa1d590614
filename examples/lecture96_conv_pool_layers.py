"""Lectures 96-100: Conv2D and pooling layers applied to an image without any training.

Run: python examples/lecture96_conv_pool_layers.py [--data-dir DIR] [--plot out.png]
Data: course/iss.jpg as a 512x512 grayscale image (see lecture94_convolutions.py).
"""
import argparse

import numpy as np

import zerodl.backend as K
from zerodl.layers import AvgPool2D, Conv2D, MaxPool2D
from zerodl.models import Sequential
from zerodl.utils import set_random_seed

from lecture94_convolutions import load_course_image


def main(data_dir=None, plot=None):
    set_random_seed(0)
    img = load_course_image(data_dir)
    img_tensor = img.reshape((1, 512, 512, 1))

    # A convolutional layer with one random 3x3 filter, stride 2 along rows and 1 along columns
    K.clear_session()
    model = Sequential()
    model.add(Conv2D(1, (3, 3), strides=(2, 1), input_shape=(512, 512, 1)))
    model.compile('adam', 'mse')
    img_pred_tensor = model.predict(img_tensor)
    print("Conv2D strides=(2, 1) output:", img_pred_tensor.shape)
    random_filter = img_pred_tensor[0, :, :, 0]

    # Set the kernel to all ones: every output is the sum of a 3x3 patch
    weights = model.get_weights()
    print("kernel shape:", weights[0].shape)
    weights[0] = np.ones(weights[0].shape)
    model.set_weights(weights)
    ones_pred = model.predict(img_tensor)[0, :, :, 0]
    patch_sum = img[0:3, 0:3].sum()

    # padding='same' keeps the image size
    model = Sequential()
    model.add(Conv2D(1, (3, 3), input_shape=(512, 512, 1), padding='same'))
    model.compile('adam', 'mse')
    same_shape = model.predict(img_tensor).shape
    print("Conv2D padding='same' output:", same_shape)

    # Pooling layers: the max or the mean of each 5x5 window
    pooled = {}
    for layer_class in (MaxPool2D, AvgPool2D):
        model = Sequential()
        model.add(layer_class((5, 5), input_shape=(512, 512, 1)))
        model.compile('adam', 'mse')
        pooled[layer_class.__name__] = model.predict(img_tensor)[0, :, :, 0]
        print(f"{layer_class.__name__}((5, 5)) output:", pooled[layer_class.__name__].shape)
    if plot:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        fig, axes = plt.subplots(1, 5, figsize=(25, 5))
        for ax, (title, picture) in zip(axes, [("image", img), ("random 3x3 filter, strides (2, 1)", random_filter),
                                               ("all-ones filter", ones_pred), ("MaxPool2D 5x5", pooled["MaxPooling2D"]),
                                               ("AvgPool2D 5x5", pooled["AveragePooling2D"])]):
            ax.imshow(picture, cmap='gray')
            ax.set_title(title)
        fig.savefig(plot)
    return {"conv_strided_shape": img_pred_tensor.shape, "kernel_shape": weights[0].shape,
            "ones_first_output": float(ones_pred[0, 0]), "first_patch_sum": float(patch_sum),
            "conv_same_shape": same_shape, "max_pool_shape": pooled["MaxPooling2D"].shape,
            "avg_pool_shape": pooled["AveragePooling2D"].shape,
            "max_pool_first": float(pooled["MaxPooling2D"][0, 0]), "first_window_max": float(img[:5, :5].max()),
            "avg_pool_first": float(pooled["AveragePooling2D"][0, 0]), "first_window_mean": float(img[:5, :5].mean())}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data-dir")
    parser.add_argument("--plot", help="save the layer outputs to this file (needs matplotlib)")
    args = parser.parse_args()
    print(main(args.data_dir, args.plot))
