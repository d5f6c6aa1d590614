"""The CSV datasets of the "Zero to Deep Learning" course, as pandas DataFrames.

    from zerodl.datasets import course
    df = course.load("banknotes")                 # from ZERODL_DATA_DIR (or data_dir=...)
    df = course.load("iris", url="https://example.org/data/")   # or downloaded once from your URL

Files are looked for in `data_dir`, then in ZERODL_DATA_DIR (the folder itself or its course/ and
data/ subfolders), then in the download cache (~/.keras/datasets/zerodl-course); failing that, they are
downloaded from `url` (a folder URL the file name is appended to, or the file's own URL; default the
ZERODL_DATA_URL setting). Each dataset is read with the pandas options the course uses for it.
"""
import os
import urllib.parse

from ._files import DatasetNotFoundError, cache_dir, download

DATASETS = {  # name: (file, read_csv options the course uses)
    "banknotes": ("banknotes.csv", {}),
    "iris": ("iris.csv", {}),
    "titanic": ("titanic-train.csv", {}),
    "diabetes": ("diabetes.csv", {}),
    "hr": ("HR_comma_sep.csv", {}),
    "weight_height": ("weight-height.csv", {}),
    "cansim": ("cansim-0800020-eng-6674700030567901031.csv",
               {"skiprows": 6, "skipfooter": 9, "engine": "python"}),
    "us_retail_sales": ("us_retail_sales.csv", {}),
    "airline_passengers": ("international-airline-passengers.csv", {}),
    "wines": ("wines.csv", {}),
    "housing": ("housing-data.csv", {}),
    "user_visit_duration": ("user_visit_duration.csv", {}),
}
ALIASES = {"hr_comma_sep": "hr", "weight-height": "weight_height", "cansim_retail_sales": "cansim",
           "retail_sales": "cansim", "international_airline_passengers": "airline_passengers",
           "titanic_train": "titanic", "housing_data": "housing", "wine": "wines"}
CACHE_SUBDIR = os.path.join("datasets", "zerodl-course")


def names():
    """The dataset names load() knows."""
    return sorted(DATASETS)


def _entry(name):
    key = name.lower().replace("-", "_").replace(" ", "_")
    key = key[:-4] if key.endswith(".csv") else key
    key = ALIASES.get(key, key)
    if key in DATASETS:
        return DATASETS[key]
    for file, options in DATASETS.values():
        if file.lower() == name.lower() or file.lower() == name.lower() + ".csv":
            return file, options
    raise ValueError(f"Unknown course dataset {name!r}. Known: {', '.join(names())}.")


def path(name, data_dir=None, url=None):
    """The local path of a course dataset's file (downloading it from `url` if need be)."""
    file, _ = _entry(name)
    folders = []
    for base in (data_dir, os.environ.get("ZERODL_DATA_DIR")):
        if base:
            folders += [base, os.path.join(base, "course"), os.path.join(base, "data")]
    folders.append(cache_dir(CACHE_SUBDIR))
    for folder in folders:
        candidate = os.path.join(os.path.expanduser(os.fspath(folder)), file)
        if os.path.isfile(candidate):
            return candidate
    url = url or os.environ.get("ZERODL_DATA_URL")
    target = os.path.join(cache_dir(CACHE_SUBDIR), file)
    if not url:
        raise DatasetNotFoundError(f"Course dataset '{file}' not found (looked in: {', '.join(map(str, folders))}). "
                                   f"Set ZERODL_DATA_DIR to the folder holding the course's CSV files, pass "
                                   f"data_dir=..., or give a download URL with url=... (or ZERODL_DATA_URL).")
    if not urllib.parse.urlsplit(url).path.endswith(".csv"):
        url = url.rstrip("/") + "/" + urllib.parse.quote(file)
    download(url, target)
    return target


def load(name, data_dir=None, url=None, **read_csv_kwargs):
    """A course dataset as a pandas DataFrame; extra keyword arguments go to pandas.read_csv."""
    try:
        import pandas as pd
    except ImportError as error:
        raise ImportError("Course datasets are pandas DataFrames: pip install 'zerodl[pandas]'.") from error
    _, options = _entry(name)
    return pd.read_csv(path(name, data_dir, url), **{**options, **read_csv_kwargs})
