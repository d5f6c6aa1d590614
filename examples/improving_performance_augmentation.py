"""Improving performance: data augmentation with ImageDataGenerator -- random rotations, shifts and zooms
of the MNIST digits while the lecture-102 CNN trains on them, and the course's flow_from_directory.

Run: python examples/improving_performance_augmentation.py [--data-dir DIR] [--epochs 5] [--plot out.png]
Data: as lecture 89 (first 8,000 MNIST t10k digits to train on, last 2,000 to test). The directory part
writes a few digits as PNG files to a temporary folder (needs Pillow) and reads them back in batches.
"""
import argparse
import pathlib
import tempfile

import numpy as np

import zerodl.backend as K
from zerodl.layers import Activation, Conv2D, Dense, Flatten, MaxPool2D
from zerodl.models import Sequential
from zerodl.preprocessing.image import ImageDataGenerator, save_img
from zerodl.utils import set_random_seed
from zerodl.utils.np_utils import to_categorical

from lecture89_mnist_dense import load_mnist


def cnn():
    model = Sequential()
    model.add(Conv2D(32, (3, 3), input_shape=(28, 28, 1)))
    model.add(MaxPool2D(pool_size=(2, 2)))
    model.add(Activation('relu'))
    model.add(Flatten())
    model.add(Dense(128, activation='relu'))
    model.add(Dense(10, activation='softmax'))
    model.compile(loss='categorical_crossentropy', optimizer='rmsprop', metrics=['accuracy'])
    return model


def directory_batches(X, y, folder, n_per_class=20):
    """The course's generator and flow_from_directory on digits 0 and 1 saved as PNG files: 16 batches."""
    for digit in (0, 1):
        (folder / str(digit)).mkdir(parents=True, exist_ok=True)
        for i, image in enumerate(X[y == digit][:n_per_class]):
            save_img(folder / str(digit) / f"{i}.png", image)
    generator = ImageDataGenerator(rescale=1. / 255, width_shift_range=0.1, height_shift_range=0.1,
                                   rotation_range=20, shear_range=0.3, zoom_range=0.3, horizontal_flip=True)
    train = generator.flow_from_directory(folder, target_size=(128, 128), batch_size=32, class_mode='binary')
    images, labels = [], []
    for i in range(16):
        img, label = train.next()
        images.append(img[0])
        labels.append(label[0])
    return train, np.array(images), np.array(labels)


def main(data_dir=None, epochs=5, verbose=1, plot=None, directory=True):
    set_random_seed(0)
    (X_train, y_train), (X_test, y_test) = load_mnist(data_dir)
    X_train = X_train.reshape(-1, 28, 28, 1).astype('float32') / 255.0
    X_test = X_test.reshape(-1, 28, 28, 1).astype('float32') / 255.0
    y_train_cat, y_test_cat = to_categorical(y_train), to_categorical(y_test)

    # Random rotations up to 10 degrees, shifts up to 2 pixels, zooms up to 10%: digits stay digits
    # (no flips: a mirrored 2 is not a 2)
    generator = ImageDataGenerator(rotation_range=10, width_shift_range=0.1, height_shift_range=0.1,
                                   zoom_range=0.1)
    flow = generator.flow(X_train, y_train_cat, batch_size=128)
    sample, sample_labels = next(flow)
    print("augmented batch:", sample.shape, sample_labels.shape)

    K.clear_session()
    model = cnn()
    h = model.fit(flow, epochs=epochs, verbose=verbose, validation_data=(X_test, y_test_cat))
    test_loss, test_accuracy = model.evaluate(X_test, y_test_cat, verbose=0)
    print(f"Test accuracy after training on augmented digits: {test_accuracy:.4f}")
    result = {"test_accuracy": test_accuracy, "val_acc": h.history['val_acc'], "steps_per_epoch": len(flow),
              "augmented_batch_shape": sample.shape, "augmented_differs": bool(np.abs(sample).sum() > 0)}

    if directory:
        with tempfile.TemporaryDirectory() as folder:
            train, images, labels = directory_batches((X_train * 255).astype('uint8'), y_train,
                                                      pathlib.Path(folder))
            result.update(directory_samples=train.samples, directory_classes=train.class_indices,
                          directory_batch_shape=images.shape, directory_labels=sorted(set(labels.tolist())))
    if plot and directory:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        plt.figure(figsize=(12, 12))
        for i in range(16):
            plt.subplot(4, 4, i + 1)
            plt.imshow(images[i])
            plt.title(f"label {labels[i]:.0f}")
        plt.savefig(plot)
    return result


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data-dir")
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--plot", help="save 16 augmented images from flow_from_directory (needs matplotlib)")
    args = parser.parse_args()
    main(args.data_dir, args.epochs, plot=args.plot)
