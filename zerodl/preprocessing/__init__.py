"""Data preprocessing with the Keras 2 names: `zerodl.preprocessing.image` (ImageDataGenerator, load_img, ...)."""
from . import image  # noqa: F401
