"""Models: `Sequential`, functional `Model`, and building them back from configs."""
from .config import model_from_config, model_from_json
from .functional import Model
from .sequential import Sequential
from ..saving import load_model  # noqa: E402 (zerodl.saving imports models lazily)
