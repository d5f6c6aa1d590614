"""Turning what users pass to fit/evaluate/predict (arrays, lists, pandas objects) into float arrays."""
from ..config import floatx, xp


def to_array(data, what="x"):
    """A NumPy array from an array, list, pandas DataFrame/Series (no pandas import needed).

    Bools become floats; object arrays holding numbers (pandas get_dummies columns mixed with
    floats) are converted; anything non-numeric raises a clear TypeError.
    """
    if isinstance(data, xp.ndarray):
        if data.dtype == floatx():  # already what the model computes in
            return data
    elif hasattr(data, "to_numpy"):  # pandas, without importing it
        data = data.to_numpy()
    array = xp.asarray(data)
    if array.dtype == object or array.dtype.kind in "USV":
        try:
            array = array.astype(floatx())
        except (TypeError, ValueError):
            sample = next((v for v in array.ravel() if not _is_number(v)), None)
            raise TypeError(f"{what} must be numeric, but it holds non-numeric values such as {sample!r} "
                            f"(dtype {array.dtype}). Encode categories as numbers first, e.g. with "
                            "pandas.get_dummies or to_categorical.") from None
    if array.dtype.kind == "c":
        raise TypeError(f"{what} must be real-valued, got complex dtype {array.dtype}.")
    if array.dtype.kind in "bf" and array.dtype != floatx():
        array = array.astype(floatx())
    return array


def _is_number(value):
    try:
        float(value)
        return True
    except (TypeError, ValueError):
        return False


def to_float(array):
    """Integer arrays as floatx (inputs to dense layers); floats unchanged."""
    return array if array.dtype.kind == "f" else array.astype(floatx())


def as_list(data):
    """Inputs or targets as a list, one entry per model input/output (None -> [])."""
    if data is None:
        return []
    if isinstance(data, (list, tuple)) and data and not _is_number_list(data):
        return list(data)
    if isinstance(data, dict):
        return list(data.values())
    return [data]


def _is_number_list(data):
    """A plain (nested) list of numbers is one array, not several inputs."""
    first = data[0]
    while isinstance(first, (list, tuple)):
        if not first:
            return True
        first = first[0]
    return _is_number(first) or isinstance(first, (str, bool))
