"""The course's CSV datasets as DataFrames: from the data folder, ZERODL_DATA_DIR, or a URL."""
import pytest

from zerodl.datasets import DatasetNotFoundError, course

pd = pytest.importorskip("pandas")

SHAPES = {"banknotes": (1372, 5), "iris": (150, 5), "titanic": (891, 12), "diabetes": (768, 9),
          "hr": (14999, 10), "weight_height": (10000, 3), "cansim": (313, 3), "airline_passengers": (144, 2),
          "wines": (178, 14), "housing": (47, 4), "user_visit_duration": (100, 2), "us_retail_sales": (26, 13)}


def test_every_course_dataset_from_the_data_folder(data_dir):
    assert sorted(SHAPES) == course.names()
    for name, shape in SHAPES.items():
        frame = course.load(name, data_dir=data_dir)
        assert isinstance(frame, pd.DataFrame) and frame.shape == shape, name


def test_what_the_course_reads(data_dir, monkeypatch):
    monkeypatch.setenv("ZERODL_DATA_DIR", str(data_dir))
    banknotes = course.load("banknotes")
    assert list(banknotes.columns) == ["variace", "skewness", "curtosis", "entropy", "class"]
    assert banknotes["class"].value_counts().to_dict() == {0: 762, 1: 610}
    cansim = course.load("cansim-0800020-eng-6674700030567901031.csv")  # by file name too
    assert list(cansim.columns) == ["Adjustments", "Unadjusted", "Seasonally adjusted"]
    assert cansim["Adjustments"].iloc[0] == "Jan-1991" and cansim["Unadjusted"].iloc[0] == 12588862
    iris = course.load("iris")
    assert sorted(iris["species"].unique()) == ["setosa", "versicolor", "virginica"]
    assert course.load("titanic", usecols=["Survived", "Age"]).shape == (891, 2)


def test_download_from_a_url_of_your_choosing_once(data_dir, offline_keras_home):
    frame = course.load("wines", url=data_dir.joinpath("course").as_uri() + "/")
    assert frame.shape == (178, 14)
    cached = offline_keras_home / "zerodl-course" / "wines.csv"
    assert cached.read_bytes() == (data_dir / "course" / "wines.csv").read_bytes()
    assert course.load("wines").shape == (178, 14)  # from the cache, no URL needed now
    full_url = (data_dir / "course" / "iris.csv").as_uri()
    assert course.load("iris", url=full_url).shape == (150, 5)


def test_missing_files_and_unknown_names(tmp_path):
    with pytest.raises(DatasetNotFoundError, match="ZERODL_DATA_DIR"):
        course.load("banknotes", data_dir=tmp_path)
    with pytest.raises(DatasetNotFoundError, match="banknotes.csv"):
        course.load("banknotes", url="https://example.org/data/")
    with pytest.raises(ValueError, match="Known: airline_passengers"):
        course.load("mnist")
