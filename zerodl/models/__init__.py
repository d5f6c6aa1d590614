"""Models: `Sequential`, functional `Model`, and building them back from configs."""
from .config import model_from_config, model_from_json
from .functional import Model
from .sequential import Sequential
