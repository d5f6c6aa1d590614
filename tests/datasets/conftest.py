"""Dataset tests never touch ~/.keras or the network: KERAS_HOME is a temporary folder, and any URL
other than file:// fails as it would offline."""
import urllib.error
import urllib.request

import pytest

_real_urlopen = urllib.request.urlopen


@pytest.fixture(autouse=True)
def offline_keras_home(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras_home"))
    for name in ("ZERODL_DATA_DIR", "ZERODL_DATA_URL", "ZERODL_OFFLINE"):
        monkeypatch.delenv(name, raising=False)

    def local_only(url, *args, **kwargs):
        if not str(getattr(url, "full_url", url)).startswith("file:"):
            raise urllib.error.URLError("no network in the tests")
        return _real_urlopen(url, *args, **kwargs)

    monkeypatch.setattr(urllib.request, "urlopen", local_only)
    return tmp_path / "keras_home" / "datasets"
