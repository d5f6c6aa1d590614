"""Image preprocessing as in Keras 2 (`keras.preprocessing.image`).

`ImageDataGenerator` describes random augmentation (rotation, shifts, shear, zoom, flips, channel
shift, brightness) and normalisation (rescale, sample- and feature-wise centring and scaling, ZCA);
`.flow(x, y)` and `.flow_from_directory(path)` give iterators of transformed batches that `fit`,
`evaluate` and `predict` accept. Random transforms are drawn for a whole batch at once and applied by
one vectorised resampling (bilinear, or nearest with interpolation_order=0): no loop over images.

Arrays are (batch, rows, cols, channels) unless data_format='channels_first'. Reading and writing
image files needs Pillow (`pip install 'zerodl[image]'`), imported only when used.
"""
import math
import os
import warnings

import numpy as np

from ..config import floatx, rng
from ..utils.sequence import Sequence

_FILL_MODES = ("constant", "nearest", "reflect", "wrap")
_IMAGE_FORMATS = ("png", "jpg", "jpeg", "bmp", "ppm", "tif", "tiff")


# --- image files (Pillow) -------------------------------------------------------------------

def _pil_image():
    try:
        from PIL import Image
    except ImportError:
        raise ImportError("Could not import PIL.Image. Reading and writing images needs Pillow: "
                          "pip install 'zerodl[image]' (or pip install Pillow).") from None
    return Image


def _resample(Image, interpolation):
    names = {"nearest": "NEAREST", "bilinear": "BILINEAR", "bicubic": "BICUBIC", "hamming": "HAMMING",
             "box": "BOX", "lanczos": "LANCZOS"}
    if interpolation not in names:
        raise ValueError(f"Invalid interpolation method {interpolation!r}. Supported methods are "
                         f"{', '.join(names)}")
    resampling = getattr(Image, "Resampling", Image)
    return getattr(resampling, names[interpolation])


def load_img(path, grayscale=False, color_mode="rgb", target_size=None, interpolation="nearest",
             keep_aspect_ratio=False):
    """Load an image file as a PIL Image; color_mode 'grayscale', 'rgb' or 'rgba'; target_size (rows, cols)."""
    Image = _pil_image()
    if grayscale:
        warnings.warn("grayscale is deprecated. Please use color_mode = 'grayscale'", stacklevel=2)
        color_mode = "grayscale"
    if isinstance(path, (str, os.PathLike)):
        with open(path, "rb") as f:
            img = Image.open(f)
            img.load()
    else:
        img = Image.open(path)
    if color_mode == "grayscale":
        if img.mode not in ("L", "I;16", "I"):
            img = img.convert("L")
    elif color_mode == "rgba":
        if img.mode != "RGBA":
            img = img.convert("RGBA")
    elif color_mode == "rgb":
        if img.mode != "RGB":
            img = img.convert("RGB")
    else:
        raise ValueError('color_mode must be "grayscale", "rgb", or "rgba"')
    if target_size is not None:
        size = (int(target_size[1]), int(target_size[0]))  # PIL sizes are (width, height)
        if img.size != size:
            resample = _resample(Image, interpolation)
            if keep_aspect_ratio:  # crop the centre to the target aspect ratio first
                width, height = img.size
                crop_w = min(width, int(height * size[0] / size[1]))
                crop_h = min(height, int(width * size[1] / size[0]))
                left, top = (width - crop_w) // 2, (height - crop_h) // 2
                img = img.crop((left, top, left + crop_w, top + crop_h))
            img = img.resize(size, resample)
    return img


def _data_format(value):
    value = "channels_last" if value is None else value
    if value not in ("channels_last", "channels_first"):
        raise ValueError(f"`data_format` should be 'channels_last' or 'channels_first'. Received: {value}")
    return value


def img_to_array(img, data_format=None, dtype=None):
    """A PIL Image as a float array (rows, cols, channels), or (channels, rows, cols) for channels_first."""
    data_format = _data_format(data_format)
    x = np.asarray(img, dtype=dtype or floatx())
    if x.ndim == 2:
        x = x[:, :, None]
    elif x.ndim != 3:
        raise ValueError(f"Unsupported image shape: {x.shape}")
    return x.transpose(2, 0, 1).copy() if data_format == "channels_first" else x


def array_to_img(x, data_format=None, scale=True, dtype=None):
    """A 3-D array (rows, cols, channels) as a PIL Image; scale=True maps its range to 0-255."""
    Image = _pil_image()
    data_format = _data_format(data_format)
    x = np.asarray(x, dtype=dtype or floatx())
    if x.ndim != 3:
        raise ValueError(f"Expected image array to have rank 3 (single image). Got array with shape: {x.shape}")
    if data_format == "channels_first":
        x = x.transpose(1, 2, 0)
    if scale:
        x = x - np.min(x)
        top = np.max(x)
        if top != 0:
            x = x / top
        x = x * 255
    if x.shape[2] == 4:
        return Image.fromarray(x.astype("uint8"), "RGBA")
    if x.shape[2] == 3:
        return Image.fromarray(x.astype("uint8"), "RGB")
    if x.shape[2] == 1:
        if np.max(x) > 255:  # 32-bit signed integer grayscale
            return Image.fromarray(x[:, :, 0].astype("int32"), "I")
        return Image.fromarray(x[:, :, 0].astype("uint8"), "L")
    raise ValueError(f"Unsupported channel number: {x.shape[2]}")


def save_img(path, x, data_format=None, file_format=None, scale=True, **kwargs):
    """Save a 3-D array as an image file (format from the file name unless file_format is given)."""
    img = array_to_img(x, data_format=data_format, scale=scale)
    if img.mode == "RGBA" and (file_format == "jpg" or file_format == "jpeg" or
                               str(path).lower().endswith((".jpg", ".jpeg"))):
        warnings.warn("The JPG format does not support RGBA images, converting to RGB.", stacklevel=2)
        img = img.convert("RGB")
    img.save(path, format=file_format, **kwargs)


# --- vectorised transforms ------------------------------------------------------------------

def _map_index(index, n, fill_mode):
    """Integer source indices mapped into [0, n) by the fill mode (constant is masked by the caller)."""
    if fill_mode == "reflect":  # d c b a | a b c d | d c b a
        index = np.mod(index, 2 * n)
        return np.where(index >= n, 2 * n - 1 - index, index)
    if fill_mode == "wrap":  # a b c d | a b c d
        return np.mod(index, n)
    index = np.maximum(index, 0)
    return np.minimum(index, n - 1, out=index)


def affine_transform_batch(x, matrices, fill_mode="nearest", cval=0.0, order=1):
    """Resample each image of x (B, H, W, C): output pixel (r, c) takes input at M_b @ (r, c, 1).

    matrices (B, 3, 3); order 1 = bilinear, 0 = nearest; outside the image, fill_mode decides.
    Source coordinates for the whole batch at once, then 4 gathers (1 for nearest) from x.
    """
    b, h, w, c = x.shape
    dtype = x.dtype if np.issubdtype(x.dtype, np.floating) else np.dtype(floatx())
    m = np.asarray(matrices, dtype=np.float64)[:, :2].astype(np.float32)
    rows = np.arange(h, dtype=np.float32)[None, :, None]
    cols = np.arange(w, dtype=np.float32)[None, None, :]
    r = m[:, 0, 0, None, None] * rows + m[:, 0, 1, None, None] * cols + m[:, 0, 2, None, None]  # (B, H, W)
    q = m[:, 1, 0, None, None] * rows + m[:, 1, 1, None, None] * cols + m[:, 1, 2, None, None]
    flat = x.reshape(b * h * w, c) if c > 1 else x.reshape(-1)
    base = (np.arange(b, dtype=np.int32) * (h * w))[:, None, None]

    def gather(row_start, col):
        index = row_start + col
        return flat[index] if c > 1 else np.take(flat, index)[..., None]

    if order == 0:
        ri, qi = np.rint(r).astype(np.int32), np.rint(q).astype(np.int32)
        out = gather(base + _map_index(ri, h, fill_mode) * w, _map_index(qi, w, fill_mode)).astype(dtype, copy=False)
    else:
        r0, q0 = np.floor(r), np.floor(q)
        fr, fq = (r - r0)[..., None], (q - q0)[..., None]
        r0, q0 = r0.astype(np.int32), q0.astype(np.int32)
        row_a, row_b = base + _map_index(r0, h, fill_mode) * w, base + _map_index(r0 + 1, h, fill_mode) * w
        col_a, col_b = _map_index(q0, w, fill_mode), _map_index(q0 + 1, w, fill_mode)
        top = gather(row_a, col_a) * (1 - fq) + gather(row_a, col_b) * fq
        bottom = gather(row_b, col_a) * (1 - fq) + gather(row_b, col_b) * fq
        out = (top * (1 - fr) + bottom * fr).astype(dtype, copy=False)
    if fill_mode == "constant":
        outside = (r < -1e-4) | (r > h - 1 + 1e-4) | (q < -1e-4) | (q > w - 1 + 1e-4)
        out[outside] = cval
    return out


def transform_matrices(h, w, theta=None, tx=None, ty=None, shear=None, zx=None, zy=None):
    """(B, 3, 3) Keras affine matrices (rotation @ shift @ shear @ zoom about the image centre) acting on
    (row, col, 1); angles in degrees, tx/ty shifts in pixels along rows/cols, zx/zy zoom of rows/cols."""
    n = len(theta)
    one, zero = np.ones(n), np.zeros(n)
    t, s = np.deg2rad(theta), np.deg2rad(shear)
    rotation = np.stack([np.stack([np.cos(t), -np.sin(t), zero], -1), np.stack([np.sin(t), np.cos(t), zero], -1),
                         np.stack([zero, zero, one], -1)], 1)
    shift = np.stack([np.stack([one, zero, tx], -1), np.stack([zero, one, ty], -1), np.stack([zero, zero, one], -1)], 1)
    shearing = np.stack([np.stack([one, -np.sin(s), zero], -1), np.stack([zero, np.cos(s), zero], -1),
                         np.stack([zero, zero, one], -1)], 1)
    zoom = np.stack([np.stack([zx, zero, zero], -1), np.stack([zero, zy, zero], -1),
                     np.stack([zero, zero, one], -1)], 1)
    matrix = rotation @ shift @ shearing @ zoom
    centre = np.array([[1, 0, (h - 1) / 2], [0, 1, (w - 1) / 2], [0, 0, 1]])
    back = np.array([[1, 0, -(h - 1) / 2], [0, 1, -(w - 1) / 2], [0, 0, 1]])
    return centre @ matrix @ back


def _shift_amounts(spec, size, n, gen):
    """Keras' shift ranges: float (< 1: fraction of size), int (whole pixels below it), or a list of choices."""
    if isinstance(spec, (list, tuple, np.ndarray)):
        return gen.choice(np.asarray(spec, dtype=np.float64), n)
    if isinstance(spec, (int, np.integer)) and not isinstance(spec, bool):
        return gen.integers(-spec + 1, spec, n).astype(np.float64)
    amounts = gen.uniform(-spec, spec, n)
    return amounts * size if spec < 1 else amounts


class ImageDataGenerator:
    """Random augmentation and normalisation of image batches (Keras 2 arguments and defaults)."""

    def __init__(self, featurewise_center=False, samplewise_center=False, featurewise_std_normalization=False,
                 samplewise_std_normalization=False, zca_whitening=False, zca_epsilon=1e-6, rotation_range=0,
                 width_shift_range=0.0, height_shift_range=0.0, brightness_range=None, shear_range=0.0,
                 zoom_range=0.0, channel_shift_range=0.0, fill_mode="nearest", cval=0.0, horizontal_flip=False,
                 vertical_flip=False, rescale=None, preprocessing_function=None, data_format=None,
                 validation_split=0.0, interpolation_order=1, dtype=None):
        self.featurewise_center = featurewise_center
        self.samplewise_center = samplewise_center
        self.featurewise_std_normalization = featurewise_std_normalization
        self.samplewise_std_normalization = samplewise_std_normalization
        self.zca_whitening, self.zca_epsilon = zca_whitening, zca_epsilon
        self.rotation_range = rotation_range
        self.width_shift_range, self.height_shift_range = width_shift_range, height_shift_range
        self.shear_range = shear_range
        self.channel_shift_range = channel_shift_range
        if fill_mode not in _FILL_MODES:
            raise ValueError(f"fill_mode should be one of {list(_FILL_MODES)}. Received: fill_mode={fill_mode}")
        self.fill_mode, self.cval = fill_mode, cval
        self.horizontal_flip, self.vertical_flip = horizontal_flip, vertical_flip
        self.rescale = rescale
        self.preprocessing_function = preprocessing_function
        self.data_format = _data_format(data_format)
        self.dtype = dtype or floatx()
        self.interpolation_order = interpolation_order
        if not 0 <= validation_split < 1:
            raise ValueError(f"`validation_split` must be strictly between 0 and 1. Received: {validation_split}")
        self._validation_split = validation_split
        if np.isscalar(zoom_range):
            self.zoom_range = [1 - zoom_range, 1 + zoom_range]
        elif len(zoom_range) == 2:
            self.zoom_range = [zoom_range[0], zoom_range[1]]
        else:
            raise ValueError(f"`zoom_range` should be a float or a tuple or list of two floats. Received: "
                             f"{zoom_range}")
        if brightness_range is not None and (np.isscalar(brightness_range) or len(brightness_range) != 2):
            raise ValueError(f"`brightness_range should be tuple or list of two floats. Received: {brightness_range}")
        self.brightness_range = brightness_range
        self.mean = self.std = self.principal_components = None
        if zca_whitening and not featurewise_center:
            self.featurewise_center = True
            warnings.warn("This ImageDataGenerator specifies `zca_whitening`, which overrides setting of "
                          "`featurewise_center`.", stacklevel=2)
        if featurewise_std_normalization and not featurewise_center:
            self.featurewise_center = True
            warnings.warn("This ImageDataGenerator specifies `featurewise_std_normalization`, which overrides "
                          "setting of `featurewise_center`.", stacklevel=2)
        if samplewise_std_normalization and not samplewise_center:
            self.samplewise_center = True
            warnings.warn("This ImageDataGenerator specifies `samplewise_std_normalization`, which overrides "
                          "setting of `samplewise_center`.", stacklevel=2)

    # --- iterators -----------------------------------------------------------------------------
    def flow(self, x, y=None, batch_size=32, shuffle=True, sample_weight=None, seed=None, save_to_dir=None,
             save_prefix="", save_format="png", ignore_class_split=False, subset=None):
        """An iterator of (x, y) batches (x alone when y is None) transformed by this generator."""
        return NumpyArrayIterator(x, y, self, batch_size=batch_size, shuffle=shuffle, sample_weight=sample_weight,
                                  seed=seed, data_format=self.data_format, save_to_dir=save_to_dir,
                                  save_prefix=save_prefix, save_format=save_format, subset=subset, dtype=self.dtype)

    def flow_from_directory(self, directory, target_size=(256, 256), color_mode="rgb", classes=None,
                            class_mode="categorical", batch_size=32, shuffle=True, seed=None, save_to_dir=None,
                            save_prefix="", save_format="png", follow_links=False, subset=None,
                            interpolation="nearest", keep_aspect_ratio=False):
        """An iterator over the images in one subdirectory of `directory` per class."""
        return DirectoryIterator(directory, self, target_size=target_size, color_mode=color_mode, classes=classes,
                                 class_mode=class_mode, batch_size=batch_size, shuffle=shuffle, seed=seed,
                                 data_format=self.data_format, save_to_dir=save_to_dir, save_prefix=save_prefix,
                                 save_format=save_format, follow_links=follow_links, subset=subset,
                                 interpolation=interpolation, keep_aspect_ratio=keep_aspect_ratio, dtype=self.dtype)

    # --- random transforms -----------------------------------------------------------------
    def get_random_transforms(self, n, rows, cols, gen=None):
        """Parameters of n random transforms, each an array of n values (Keras' get_random_transform, batched)."""
        gen = gen or rng()
        zeros = np.zeros(n)
        params = {"theta": gen.uniform(-self.rotation_range, self.rotation_range, n) if self.rotation_range else zeros,
                  "tx": _shift_amounts(self.height_shift_range, rows, n, gen) if self.height_shift_range is not None
                  and np.any(self.height_shift_range) else zeros,
                  "ty": _shift_amounts(self.width_shift_range, cols, n, gen) if self.width_shift_range is not None
                  and np.any(self.width_shift_range) else zeros,
                  "shear": gen.uniform(-self.shear_range, self.shear_range, n) if self.shear_range else zeros}
        if self.zoom_range[0] == 1 and self.zoom_range[1] == 1:
            params["zx"] = params["zy"] = np.ones(n)
        else:
            params["zx"] = gen.uniform(self.zoom_range[0], self.zoom_range[1], n)
            params["zy"] = gen.uniform(self.zoom_range[0], self.zoom_range[1], n)
        params["flip_horizontal"] = (gen.random(n) < 0.5) & bool(self.horizontal_flip)
        params["flip_vertical"] = (gen.random(n) < 0.5) & bool(self.vertical_flip)
        params["channel_shift_intensity"] = (gen.uniform(-self.channel_shift_range, self.channel_shift_range, n)
                                             if self.channel_shift_range else None)
        params["brightness"] = (gen.uniform(self.brightness_range[0], self.brightness_range[1], n)
                                if self.brightness_range is not None else None)
        return params

    def apply_transforms(self, x, params):
        """Apply batched transform parameters to x (B, rows, cols, channels) in the generator's data format."""
        first = self.data_format == "channels_first"
        x = np.asarray(x, dtype=self.dtype)
        if first:
            x = x.transpose(0, 2, 3, 1)
        h, w = x.shape[1:3]
        identity = (not np.any(params["theta"]) and not np.any(params["tx"]) and not np.any(params["ty"]) and
                    not np.any(params["shear"]) and np.all(params["zx"] == 1) and np.all(params["zy"] == 1))
        if not identity:
            matrices = transform_matrices(h, w, params["theta"], params["tx"], params["ty"], params["shear"],
                                          params["zx"], params["zy"])
            x = affine_transform_batch(x, matrices, self.fill_mode, self.cval, self.interpolation_order)
        if params.get("channel_shift_intensity") is not None:
            low = x.min(axis=(1, 2, 3), keepdims=True)
            high = x.max(axis=(1, 2, 3), keepdims=True)
            x = np.clip(x + params["channel_shift_intensity"].reshape(-1, 1, 1, 1).astype(x.dtype), low, high)
        if np.any(params["flip_horizontal"]):  # out of place: x may be the caller's array
            x = np.where(params["flip_horizontal"].reshape(-1, 1, 1, 1), x[:, :, ::-1], x)
        if np.any(params["flip_vertical"]):
            x = np.where(params["flip_vertical"].reshape(-1, 1, 1, 1), x[:, ::-1], x)
        if params.get("brightness") is not None:
            x = x * params["brightness"].reshape(-1, 1, 1, 1).astype(x.dtype)
        return x.transpose(0, 3, 1, 2) if first else x

    def random_transform_batch(self, x, gen=None):
        """Random augmentation of a batch (B, ...) of images, one transform per image."""
        x = np.asarray(x, dtype=self.dtype)
        rows, cols = x.shape[1:3] if self.data_format == "channels_last" else x.shape[2:4]
        return self.apply_transforms(x, self.get_random_transforms(len(x), rows, cols, gen))

    # Keras' single-image API, on top of the batched one.
    def get_random_transform(self, img_shape, seed=None):
        rows, cols = img_shape[:2] if self.data_format == "channels_last" else img_shape[1:3]
        gen = np.random.default_rng(seed) if seed is not None else None
        params = self.get_random_transforms(1, rows, cols, gen)
        return {k: (None if v is None else v[0].item()) for k, v in params.items()}

    def apply_transform(self, x, transform_parameters):
        defaults = {"theta": 0, "tx": 0, "ty": 0, "shear": 0, "zx": 1, "zy": 1, "flip_horizontal": False,
                    "flip_vertical": False, "channel_shift_intensity": None, "brightness": None}
        params = {k: (None if v is None else np.asarray([v]))
                  for k, v in {**defaults, **transform_parameters}.items()}
        return self.apply_transforms(np.asarray(x)[None], params)[0]

    def random_transform(self, x, seed=None):
        """A randomly transformed copy of one image (rows, cols, channels)."""
        return self.apply_transform(x, self.get_random_transform(np.shape(x), seed))

    # --- normalisation ----------------------------------------------------------------------
    def _channel_axis(self):
        return 3 if self.data_format == "channels_last" else 1

    def standardize(self, x):
        """A normalised copy of one image or a batch: preprocessing_function, rescale, samplewise then
        featurewise centring and scaling, ZCA (in Keras' order)."""
        x = np.array(x, dtype=self.dtype)
        return self._standardize(x[None])[0] if x.ndim == 3 else self._standardize(x)

    def _standardize(self, x):
        """standardize() of a batch that may be changed in place."""
        if self.preprocessing_function is not None:
            x = np.stack([np.asarray(self.preprocessing_function(image), dtype=x.dtype) for image in x])
        if self.rescale:
            x *= x.dtype.type(self.rescale)
        if self.samplewise_center:
            x -= x.mean(axis=(1, 2, 3), keepdims=True)
        if self.samplewise_std_normalization:
            x /= x.std(axis=(1, 2, 3), keepdims=True) + x.dtype.type(1e-6)
        if self.featurewise_center:
            if self.mean is not None:
                x -= self.mean.astype(x.dtype)
            else:
                warnings.warn("This ImageDataGenerator specifies `featurewise_center`, but it hasn't been fit on any "
                              "training data. Fit it first by calling `.fit(numpy_data)`.", stacklevel=2)
        if self.featurewise_std_normalization:
            if self.std is not None:
                x /= self.std.astype(x.dtype) + x.dtype.type(1e-6)
            else:
                warnings.warn("This ImageDataGenerator specifies `featurewise_std_normalization`, but it hasn't been "
                              "fit on any training data. Fit it first by calling `.fit(numpy_data)`.", stacklevel=2)
        if self.zca_whitening:
            if self.principal_components is not None:
                x = (x.reshape(len(x), -1) @ self.principal_components.astype(x.dtype)).reshape(x.shape)
            else:
                warnings.warn("This ImageDataGenerator specifies `zca_whitening`, but it hasn't been fit on any "
                              "training data. Fit it first by calling `.fit(numpy_data)`.", stacklevel=2)
        return x

    def fit(self, x, augment=False, rounds=1, seed=None):
        """Compute the feature-wise mean, std and ZCA matrix of sample images x (n, rows, cols, channels)."""
        x = np.array(x, dtype=self.dtype)
        if x.ndim != 4:
            raise ValueError(f"Input to `.fit()` should have rank 4. Got array with shape: {x.shape}")
        channels = x.shape[self._channel_axis()]
        if channels not in (1, 3, 4):
            warnings.warn(f"Expected input to be images (as Numpy array) following the data format convention "
                          f'"{self.data_format}" (channels on axis {self._channel_axis()}), i.e. expected either 1, '
                          f"3 or 4 channels on axis {self._channel_axis()}. However, it was passed an array with "
                          f"shape {x.shape} ({channels} channels).", stacklevel=2)
        if self.rescale:
            x *= x.dtype.type(self.rescale)
        if augment:
            gen = np.random.default_rng(seed) if seed is not None else None
            x = np.concatenate([self.random_transform_batch(x, gen) for _ in range(rounds)])
        axes = (0, 1, 2) if self.data_format == "channels_last" else (0, 2, 3)
        shape = [1, 1, 1]
        shape[self._channel_axis() - 1] = channels
        if self.featurewise_center:
            self.mean = x.mean(axis=axes).reshape(shape)
            x -= self.mean
        if self.featurewise_std_normalization:
            self.std = x.std(axis=axes).reshape(shape)
            x /= self.std + x.dtype.type(1e-6)
        if self.zca_whitening:
            flat = x.reshape(len(x), -1).astype(np.float64)
            sigma = flat.T @ flat / len(flat)
            u, s, _ = np.linalg.svd(sigma)
            self.principal_components = ((u * (1 / np.sqrt(s + self.zca_epsilon))) @ u.T).astype(self.dtype)


# --- iterators ------------------------------------------------------------------------------

class Iterator(Sequence):
    """Batches of indices into n samples, reshuffled every epoch; `next(it)`, `it.next()`, `it[i]`, `len(it)`."""
    white_list_formats = _IMAGE_FORMATS

    def __init__(self, n, batch_size, shuffle, seed):
        if batch_size <= 0:
            raise ValueError(f"batch_size must be a positive integer, received batch_size={batch_size!r}.")
        self.n, self.batch_size, self.shuffle, self.seed = n, batch_size, shuffle, seed
        self.batch_index = 0
        self.total_batches_seen = 0
        self.index_array = None
        self._rng = np.random.default_rng(seed) if seed is not None else np.random.default_rng(rng().integers(2**63))

    def _set_index_array(self):
        self.index_array = self._rng.permutation(self.n) if self.shuffle else np.arange(self.n)

    def __getitem__(self, idx):
        if idx >= len(self):
            raise ValueError(f"Asked to retrieve element {idx}, but the Sequence has length {len(self)}")
        if self.index_array is None:
            self._set_index_array()
        self.total_batches_seen += 1
        return self._get_batches_of_transformed_samples(self.index_array[self.batch_size * idx:
                                                                         self.batch_size * (idx + 1)])

    def __len__(self):
        return math.ceil(self.n / self.batch_size)

    def on_epoch_end(self):
        self._set_index_array()

    def reset(self):
        self.batch_index = 0

    def __iter__(self):
        return self

    def __next__(self):
        if self.batch_index == 0:
            self._set_index_array()
        if self.n == 0:
            raise ValueError("The iterator has no samples to give.")
        index_array = self.index_array[self.batch_index * self.batch_size:(self.batch_index + 1) * self.batch_size]
        self.batch_index = 0 if (self.batch_index + 1) * self.batch_size >= self.n else self.batch_index + 1
        self.total_batches_seen += 1
        return self._get_batches_of_transformed_samples(index_array)

    def next(self):
        """Keras 2 spelling of next(iterator)."""
        return self.__next__()

    def _transform(self, x):
        """Random augmentation, then normalisation, of a batch (a fresh array)."""
        generator = self.image_data_generator
        x = generator.random_transform_batch(x, self._rng)
        return generator._standardize(x)  # x is a fresh array: gathered by index or read from files

    def _save(self, x, index_array):
        if self.save_to_dir is None:
            return
        for i, j in enumerate(index_array):
            name = f"{self.save_prefix}_{j}_{self._rng.integers(10**4)}.{self.save_format}"
            save_img(os.path.join(self.save_to_dir, name), x[i], self.data_format, self.save_format)

    def _get_batches_of_transformed_samples(self, index_array):
        raise NotImplementedError


class NumpyArrayIterator(Iterator):
    """Batches of images from an array x (n, rows, cols, channels) with labels y (and sample weights)."""

    def __init__(self, x, y, image_data_generator, batch_size=32, shuffle=False, sample_weight=None, seed=None,
                 data_format=None, save_to_dir=None, save_prefix="", save_format="png", subset=None,
                 ignore_class_split=False, dtype=None):
        self.dtype = dtype or floatx()
        self.data_format = _data_format(data_format)
        x = np.asarray(x)
        if x.ndim != 4:
            raise ValueError(f"Input data in `NumpyArrayIterator` should have rank 4. You passed an array with shape "
                             f"{x.shape}")
        if y is not None and len(x) != len(y):
            raise ValueError(f"`x` (images tensor) and `y` (labels) should have the same length. Found: x.shape = "
                             f"{x.shape}, y.shape = {np.asarray(y).shape}")
        if sample_weight is not None and len(x) != len(sample_weight):
            raise ValueError(f"`x` (images tensor) and `sample_weight` should have the same length. Found: x.shape = "
                             f"{x.shape}, sample_weight.shape = {np.asarray(sample_weight).shape}")
        y = None if y is None else np.asarray(y)
        sample_weight = None if sample_weight is None else np.asarray(sample_weight)
        if subset is not None:
            if subset not in ("training", "validation"):
                raise ValueError(f"Invalid subset name: {subset}; expected 'training' or 'validation'")
            split = int(len(x) * image_data_generator._validation_split)
            part = slice(None, split) if subset == "validation" else slice(split, None)
            x = x[part]
            y = None if y is None else y[part]
            sample_weight = None if sample_weight is None else sample_weight[part]
        channels = x.shape[3 if self.data_format == "channels_last" else 1]
        if channels not in (1, 3, 4):
            warnings.warn(f'NumpyArrayIterator is set to use the data format convention "{self.data_format}" '
                          f"(channels on axis {3 if self.data_format == 'channels_last' else 1}), i.e. expected "
                          f"either 1, 3, or 4 channels on that axis. However, it was passed an array with shape "
                          f"{x.shape} ({channels} channels).", stacklevel=3)
        self.x, self.y, self.sample_weight = x, y, sample_weight
        self.image_data_generator = image_data_generator
        self.save_to_dir, self.save_prefix, self.save_format = save_to_dir, save_prefix, save_format
        super().__init__(len(x), batch_size, shuffle, seed)

    def _get_batches_of_transformed_samples(self, index_array):
        batch_x = self._transform(self.x[index_array])
        self._save(batch_x, index_array)
        if self.y is None:
            return batch_x
        if self.sample_weight is None:
            return batch_x, self.y[index_array]
        return batch_x, self.y[index_array], self.sample_weight[index_array]


class DirectoryIterator(Iterator):
    """Batches of images read from `directory/<class name>/*.png|jpg|...`, with labels from the folders.

    Attributes: filenames (relative paths), filepaths, classes (label per file), class_indices, samples.
    class_mode: 'categorical' (one-hot), 'binary', 'sparse' (class numbers), 'input' (y = x) or None (x only).
    """

    def __init__(self, directory, image_data_generator, target_size=(256, 256), color_mode="rgb", classes=None,
                 class_mode="categorical", batch_size=32, shuffle=True, seed=None, data_format=None,
                 save_to_dir=None, save_prefix="", save_format="png", follow_links=False, subset=None,
                 interpolation="nearest", keep_aspect_ratio=False, dtype=None):
        modes = ("categorical", "binary", "sparse", "input", None)
        if class_mode not in modes:
            raise ValueError(f"Invalid class_mode: {class_mode}; expected one of: {modes}")
        if color_mode not in ("rgb", "rgba", "grayscale"):
            raise ValueError(f"Invalid color mode: {color_mode}; expected \"rgb\", \"rgba\", or \"grayscale\".")
        self.directory = os.fspath(directory)
        self.image_data_generator = image_data_generator
        self.target_size = tuple(target_size)
        self.color_mode, self.class_mode = color_mode, class_mode
        self.data_format = _data_format(data_format)
        self.dtype = dtype or floatx()
        self.interpolation, self.keep_aspect_ratio = interpolation, keep_aspect_ratio
        self.save_to_dir, self.save_prefix, self.save_format = save_to_dir, save_prefix, save_format
        channels = {"rgb": 3, "rgba": 4, "grayscale": 1}[color_mode]
        self.image_shape = (self.target_size + (channels,) if self.data_format == "channels_last"
                            else (channels,) + self.target_size)
        if classes is None:
            classes = sorted(d for d in os.listdir(self.directory) if os.path.isdir(os.path.join(self.directory, d)))
        self.num_classes = len(classes)
        self.class_indices = dict(zip(classes, range(len(classes))))
        split = None
        if subset is not None:
            if subset not in ("training", "validation"):
                raise ValueError(f"Invalid subset name: {subset}; expected 'training' or 'validation'")
            fraction = image_data_generator._validation_split
            split = (0, fraction) if subset == "validation" else (fraction, 1)
        self.filenames, labels = [], []
        for name in classes:
            files = self._list_images(os.path.join(self.directory, name), follow_links)
            if split is not None:
                files = files[int(split[0] * len(files)):int(split[1] * len(files))]
            self.filenames += [os.path.relpath(f, self.directory) for f in files]
            labels += [self.class_indices[name]] * len(files)
        self.classes = np.array(labels, dtype="int32")
        self.samples = len(self.filenames)
        print(f"Found {self.samples} images belonging to {self.num_classes} classes.")
        super().__init__(self.samples, batch_size, shuffle, seed)

    def _list_images(self, folder, follow_links):
        found = []
        for root, _, files in os.walk(folder, followlinks=follow_links):
            for name in files:
                if name.lower().endswith(tuple("." + e for e in self.white_list_formats)):
                    found.append(os.path.join(root, name))
        return sorted(found)

    @property
    def filepaths(self):
        return [os.path.join(self.directory, f) for f in self.filenames]

    @property
    def labels(self):
        return self.classes

    def _get_batches_of_transformed_samples(self, index_array):
        images = [img_to_array(load_img(os.path.join(self.directory, self.filenames[j]), color_mode=self.color_mode,
                                        target_size=self.target_size, interpolation=self.interpolation,
                                        keep_aspect_ratio=self.keep_aspect_ratio), self.data_format, self.dtype)
                  for j in index_array]  # decoding files is per image; the transforms are per batch
        batch_x = self._transform(np.stack(images) if images else np.zeros((0,) + self.image_shape, self.dtype))
        self._save(batch_x, index_array)
        if self.class_mode is None:
            return batch_x
        labels = self.classes[index_array]
        if self.class_mode == "input":
            batch_y = batch_x.copy()
        elif self.class_mode == "sparse":
            batch_y = labels.astype(self.dtype)
        elif self.class_mode == "binary":
            batch_y = labels.astype(self.dtype)
        else:
            batch_y = np.zeros((len(labels), self.num_classes), dtype=self.dtype)
            batch_y[np.arange(len(labels)), labels] = 1
        return batch_x, batch_y
