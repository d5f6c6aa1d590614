"""zerodl.preprocessing.image: the transforms (against exact NumPy equivalents), normalisation, the
array and directory iterators, image file I/O, and fit/evaluate/predict on generators and Sequences."""
import warnings

import numpy as np
import pytest

from zerodl.layers import Conv2D, Dense, Flatten, MaxPool2D
from zerodl.models import Sequential
from zerodl.utils import Sequence
from zerodl.preprocessing import image
from zerodl.preprocessing.image import ImageDataGenerator

rng = np.random.default_rng(21)


def images(n=4, h=6, w=6, c=1):
    return rng.random((n, h, w, c)).astype("float32")


# --- transforms -----------------------------------------------------------------------------

def test_no_augmentation_is_the_identity_and_rescale_scales():
    x = images()
    np.testing.assert_array_equal(ImageDataGenerator().random_transform_batch(x), x)
    batch = next(ImageDataGenerator(rescale=1 / 255).flow(x * 255, batch_size=4, shuffle=False))
    np.testing.assert_allclose(batch, x, rtol=1e-5)


@pytest.mark.parametrize("h, w", [(5, 5), (6, 6)])
def test_rotation_by_90_degrees_is_rot90(h, w):
    x = images(2, h, w, 2)
    gen = ImageDataGenerator()
    out = gen.apply_transform(x[0], {"theta": 90})
    np.testing.assert_allclose(out, np.rot90(x[0], k=-1, axes=(0, 1)), atol=1e-5)


def test_integer_shift_moves_pixels_and_fills():
    x = images(1, 5, 6, 1)
    nearest = ImageDataGenerator(fill_mode="nearest").apply_transform(x[0], {"ty": 2})  # width shift by 2 pixels
    np.testing.assert_allclose(nearest[:, :4], x[0][:, 2:], atol=1e-6)
    np.testing.assert_allclose(nearest[:, 4:], np.repeat(x[0][:, 5:6], 2, axis=1), atol=1e-6)
    constant = ImageDataGenerator(fill_mode="constant", cval=-1).apply_transform(x[0], {"tx": -1})  # height
    np.testing.assert_allclose(constant[1:], x[0][:-1], atol=1e-6)
    np.testing.assert_allclose(constant[0], -1)
    wrap = ImageDataGenerator(fill_mode="wrap").apply_transform(x[0], {"ty": 2})
    np.testing.assert_allclose(wrap, np.roll(x[0], -2, axis=1), atol=1e-6)
    reflect = ImageDataGenerator(fill_mode="reflect").apply_transform(x[0], {"ty": 2})
    np.testing.assert_allclose(reflect[:, 4:], x[0][:, [5, 4]], atol=1e-6)


def test_half_pixel_shift_interpolates_linearly():
    x = np.tile(np.arange(6, dtype="float32"), (6, 1))[:, :, None]
    out = ImageDataGenerator().apply_transform(x, {"ty": 0.5})
    np.testing.assert_allclose(out[:, :5, 0], x[:, :5, 0] + 0.5, atol=1e-5)
    nearest_order = ImageDataGenerator(interpolation_order=0).apply_transform(x, {"ty": 1})
    np.testing.assert_allclose(nearest_order[:, :5, 0], x[:, 1:, 0])


def test_zoom_keeps_the_centre_and_flips_are_exact():
    x = images(1, 7, 7, 1)
    out = ImageDataGenerator().apply_transform(x[0], {"zx": 0.5, "zy": 0.5})
    assert abs(out[3, 3, 0] - x[0, 3, 3, 0]) < 1e-6
    gen = ImageDataGenerator(horizontal_flip=True, vertical_flip=True)
    np.testing.assert_array_equal(gen.apply_transform(x[0], {"flip_horizontal": True}), x[0, :, ::-1])
    np.testing.assert_array_equal(gen.apply_transform(x[0], {"flip_vertical": True}), x[0, ::-1])


def test_random_batch_draws_one_transform_per_image_without_a_loop():
    x = np.repeat(images(1, 8, 8, 1), 64, axis=0)
    gen = ImageDataGenerator(rotation_range=30, width_shift_range=0.2, height_shift_range=0.2, shear_range=10,
                             zoom_range=0.2, horizontal_flip=True, fill_mode="constant")
    out = gen.random_transform_batch(x, np.random.default_rng(0))
    assert out.shape == x.shape and out.dtype == np.float32
    distinct = {out[i].tobytes() for i in range(64)}
    assert len(distinct) > 60
    params = gen.get_random_transforms(1000, 8, 8, np.random.default_rng(1))
    assert np.abs(params["theta"]).max() <= 30 and np.abs(params["tx"]).max() <= 1.6
    assert 0.8 <= params["zx"].min() and params["zx"].max() <= 1.2
    assert 0.4 < params["flip_horizontal"].mean() < 0.6 and not params["flip_vertical"].any()


def test_shift_range_forms():
    gen = ImageDataGenerator(width_shift_range=2, height_shift_range=[-3, 3])
    params = gen.get_random_transforms(500, 10, 10, np.random.default_rng(2))
    assert set(np.unique(params["ty"])) == {-1, 0, 1}
    assert set(np.unique(params["tx"])) == {-3, 3}


def test_channel_shift_and_brightness():
    x = images(8, 4, 4, 3)
    out = ImageDataGenerator(channel_shift_range=0.5).random_transform_batch(x, np.random.default_rng(3))
    assert out.min() >= x.min() - 1e-6 and out.max() <= x.max() + 1e-6
    bright = ImageDataGenerator(brightness_range=(2, 2)).random_transform_batch(x)
    np.testing.assert_allclose(bright, 2 * x, rtol=1e-6)


# --- normalisation --------------------------------------------------------------------------

def test_featurewise_and_samplewise_normalisation():
    x = (rng.random((50, 4, 4, 3)) * [1, 2, 3] + [0, 1, 2]).astype("float32")
    gen = ImageDataGenerator(featurewise_center=True, featurewise_std_normalization=True)
    gen.fit(x)
    assert gen.mean.shape == (1, 1, 3)
    out = gen.standardize(x)
    np.testing.assert_allclose(out.mean(axis=(0, 1, 2)), 0, atol=1e-5)
    np.testing.assert_allclose(out.std(axis=(0, 1, 2)), 1, atol=1e-3)
    np.testing.assert_array_equal(x, x.copy())  # standardize returned a new array
    sample = ImageDataGenerator(samplewise_center=True, samplewise_std_normalization=True).standardize(x)
    np.testing.assert_allclose(sample.mean(axis=(1, 2, 3)), 0, atol=1e-5)
    with pytest.warns(UserWarning, match="fit"):
        ImageDataGenerator(featurewise_center=True).standardize(x)


def test_zca_whitening_decorrelates():
    x = rng.standard_normal((400, 2, 2, 1)).astype("float32")
    x[..., 0] += x[:, :1, :1, :1][..., 0] * 2  # correlate the pixels
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        gen = ImageDataGenerator(zca_whitening=True)
    gen.fit(x)
    flat = gen.standardize(x).reshape(400, -1)
    np.testing.assert_allclose(np.cov(flat.T, bias=True), np.eye(4), atol=0.05)


def test_constructor_errors_and_warnings():
    with pytest.raises(ValueError, match="fill_mode"):
        ImageDataGenerator(fill_mode="mirror")
    with pytest.raises(ValueError, match="zoom_range"):
        ImageDataGenerator(zoom_range=(1, 2, 3))
    with pytest.warns(UserWarning, match="overrides"):
        assert ImageDataGenerator(featurewise_std_normalization=True).featurewise_center


# --- iterators ------------------------------------------------------------------------------

def test_flow_batches_labels_shuffle_and_keras2_next():
    x = np.arange(10, dtype="float32").reshape(10, 1, 1, 1) * np.ones((1, 2, 2, 1), "float32")
    y = np.arange(10)
    it = ImageDataGenerator().flow(x, y, batch_size=4, shuffle=False)
    assert len(it) == 3
    bx, by = next(it)
    np.testing.assert_array_equal(by, [0, 1, 2, 3])
    np.testing.assert_array_equal(bx[:, 0, 0, 0], by)
    bx, by = it.next()
    np.testing.assert_array_equal(by, [4, 5, 6, 7])
    assert len(next(it)[1]) == 2  # the last, partial batch
    assert list(next(it)[1]) == [0, 1, 2, 3]  # then it starts again
    shuffled = ImageDataGenerator().flow(x, y, batch_size=10, seed=4)
    labels = next(shuffled)[1]
    assert sorted(labels) == list(range(10)) and list(labels) != list(range(10))
    assert next(ImageDataGenerator().flow(x, batch_size=3)).shape == (3, 2, 2, 1)  # no y: x only
    bx, by, bw = next(ImageDataGenerator().flow(x, y, sample_weight=np.ones(10), batch_size=2))
    assert bw.shape == (2,)
    with pytest.raises(ValueError, match="rank 4"):
        ImageDataGenerator().flow(np.zeros((3, 4, 4)))
    with pytest.raises(ValueError, match="same length"):
        ImageDataGenerator().flow(x, y[:5])


def test_flow_subsets_split_the_data():
    x, y = images(10), np.arange(10)
    gen = ImageDataGenerator(validation_split=0.3)
    train, val = gen.flow(x, y, subset="training", batch_size=20), gen.flow(x, y, subset="validation", batch_size=20)
    assert sorted(next(train)[1]) == list(range(3, 10)) and sorted(next(val)[1]) == [0, 1, 2]


@pytest.fixture
def image_dir(tmp_path):
    pytest.importorskip("PIL")
    for k, name in enumerate(["cats", "dogs", "owls"]):
        (tmp_path / name).mkdir()
        for i in range(3 + k):
            pixels = np.full((12, 10, 3), 40 * k + i, "uint8")
            image.save_img(tmp_path / name / f"{i}.png", pixels, scale=False)
    (tmp_path / "cats" / "notes.txt").write_text("not an image")
    return tmp_path


def test_flow_from_directory(image_dir, capsys):
    it = ImageDataGenerator(rescale=1 / 255).flow_from_directory(image_dir, target_size=(6, 5), batch_size=4,
                                                                  shuffle=False)
    assert "Found 12 images belonging to 3 classes." in capsys.readouterr().out
    assert it.class_indices == {"cats": 0, "dogs": 1, "owls": 2}
    assert list(it.classes) == [0] * 3 + [1] * 4 + [2] * 5 and it.samples == 12 and len(it) == 3
    bx, by = next(it)
    assert bx.shape == (4, 6, 5, 3) and by.shape == (4, 3)
    np.testing.assert_array_equal(by.argmax(1), [0, 0, 0, 1])
    np.testing.assert_allclose(bx[1, 0, 0], [1 / 255] * 3, rtol=1e-5)
    gray = ImageDataGenerator().flow_from_directory(image_dir, target_size=(4, 4), color_mode="grayscale",
                                                    class_mode="sparse", batch_size=12)
    bx, by = next(gray)
    assert bx.shape == (12, 4, 4, 1) and sorted(by) == sorted(gray.classes)
    binary = ImageDataGenerator().flow_from_directory(image_dir, classes=["cats", "dogs"], class_mode="binary",
                                                      target_size=(4, 4), batch_size=7, shuffle=False)
    np.testing.assert_array_equal(next(binary)[1], [0, 0, 0, 1, 1, 1, 1])
    only_x = ImageDataGenerator().flow_from_directory(image_dir, class_mode=None, target_size=(4, 4), batch_size=2)
    assert next(only_x).shape == (2, 4, 4, 3)
    with pytest.raises(ValueError, match="class_mode"):
        ImageDataGenerator().flow_from_directory(image_dir, class_mode="onehot")


def test_image_io_round_trip(tmp_path):
    pytest.importorskip("PIL")
    x = rng.integers(0, 256, (5, 7, 3)).astype("float32")
    path = tmp_path / "a.png"
    image.save_img(path, x, scale=False)
    img = image.load_img(path)
    assert img.size == (7, 5)
    np.testing.assert_array_equal(image.img_to_array(img), x)
    assert image.img_to_array(img, data_format="channels_first").shape == (3, 5, 7)
    gray = image.img_to_array(image.load_img(path, color_mode="grayscale", target_size=(10, 14)))
    assert gray.shape == (10, 14, 1) and gray.dtype == np.float32
    scaled = image.img_to_array(image.array_to_img(x / 1000))
    assert scaled.min() == 0 and scaled.max() == 255
    with pytest.raises(ValueError, match="rank 3"):
        image.array_to_img(np.zeros((2, 2)))


# --- generators and Sequences in fit / evaluate / predict ------------------------------------

def small_model():
    model = Sequential([Conv2D(2, 3, activation="relu", input_shape=(6, 6, 1)), MaxPool2D(), Flatten(),
                        Dense(1, activation="sigmoid")])
    model.compile("adam", "binary_crossentropy", metrics=["accuracy"])
    return model


def test_fit_evaluate_predict_on_a_flow_iterator():
    x, y = images(40), (np.arange(40) % 2).astype("float32")
    x[y == 1] += 1
    model = small_model()
    it = ImageDataGenerator(horizontal_flip=True).flow(x, y, batch_size=8)
    history = model.fit(it, epochs=3, verbose=0)
    assert len(history.history["loss"]) == 3 and "acc" in history.history
    history = model.fit(it, steps_per_epoch=2, epochs=2, validation_data=(x, y), verbose=0)
    assert "val_accuracy" in history.history
    loss, accuracy = model.evaluate(ImageDataGenerator().flow(x, y, batch_size=16, shuffle=False), verbose=0)
    np.testing.assert_allclose([loss, accuracy], model.evaluate(x, y, verbose=0), rtol=1e-5)
    preds = model.predict(ImageDataGenerator().flow(x, batch_size=16, shuffle=False))
    np.testing.assert_allclose(preds, model.predict(x), rtol=1e-5)


def test_python_generator_and_keras2_generator_methods():
    x, y = images(32), (np.arange(32) % 2).astype("float32")

    def batches():
        while True:
            for start in range(0, 32, 8):
                yield x[start:start + 8], y[start:start + 8]

    model = small_model()
    history = model.fit_generator(batches(), steps_per_epoch=4, epochs=2, verbose=0, validation_data=batches(),
                                  validation_steps=2)
    assert len(history.history["val_loss"]) == 2
    with pytest.raises(ValueError, match="steps_per_epoch"):
        model.fit_generator(batches())
    assert len(model.evaluate_generator(batches(), steps=4)) == 2
    assert model.predict_generator(batches(), steps=3).shape == (24, 1)

    finite = ((x[i:i + 8], y[i:i + 8]) for i in range(0, 32, 8))  # a finite generator: one epoch until exhausted
    with pytest.warns(UserWarning, match="ran out of data"):
        history = model.fit(finite, epochs=3, verbose=0)
    assert len(history.history["loss"]) == 1
    with pytest.raises(ValueError, match="`y` argument"):
        model.fit(batches(), y, steps_per_epoch=1)


def test_sequence_subclass_with_on_epoch_end():
    class Batches(Sequence):
        def __init__(self):
            self.epochs_ended = 0

        def __len__(self):
            return 3

        def __getitem__(self, i):
            return images(4), np.ones(4, "float32"), np.full(4, 0.5, "float32")

        def on_epoch_end(self):
            self.epochs_ended += 1

    seq = Batches()
    model = small_model()
    model.fit(seq, epochs=2, verbose=0)
    assert seq.epochs_ended == 2
    model.fit_generator(seq, epochs=1, verbose=0)  # a Sequence needs no steps_per_epoch
    assert model.predict(seq).shape == (12, 1)
