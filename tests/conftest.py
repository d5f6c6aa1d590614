"""Shared fixtures: where the course data lives."""
import os
import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent


def find_data_dir():
    """ZERODL_DATA_DIR, else ../shared/data beside the checkout; None when neither exists."""
    candidates = [os.environ.get("ZERODL_DATA_DIR"), ROOT.parent / "shared" / "data"]
    for candidate in candidates:
        if candidate and pathlib.Path(candidate).is_dir():
            return pathlib.Path(candidate)
    return None


@pytest.fixture
def data_dir():
    path = find_data_dir()
    if path is None:
        pytest.skip("course data not found: set ZERODL_DATA_DIR or place it in ../shared/data")
    return path


@pytest.fixture(autouse=True)
def fresh_session():
    """Each test starts with fresh layer names and a seeded generator."""
    from zerodl import backend
    from zerodl.utils import set_random_seed
    backend.clear_session()
    set_random_seed(1234)
    yield
