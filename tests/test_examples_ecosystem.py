"""The ecosystem examples: cross-validation (lecture 38), confusion matrix (lecture 40), callbacks exercise."""
import pathlib
import sys

import numpy as np
import pytest

pytest.importorskip("pandas")
pytest.importorskip("sklearn")

EXAMPLES = pathlib.Path(__file__).resolve().parent.parent / "examples"
sys.path.insert(0, str(EXAMPLES))


def test_lecture38_cross_validation(data_dir, capsys):
    from lecture38_cross_validation import main
    scores = main(data_dir, epochs=25, verbose=0)["scores"]
    assert scores.shape == (3,) and scores.mean() >= 0.75  # the course reports about 0.80
    assert "The cross validation accuracy is " in capsys.readouterr().out


def test_lecture40_confusion_matrix(data_dir):
    from lecture40_confusion_matrix import main
    result = main(data_dir, epochs=25, verbose=0)
    table = result["confusion_matrix"]
    assert list(table.index) == ["Not Buy", "Buy"] and list(table.columns) == ["Predicted Not Buy", "Predicted Buy"]
    assert table.values.sum() == 100 and np.trace(table.values) >= 75
    (tn, fp), (fn, tp) = table.values
    assert result["precision"] == pytest.approx(tp / (tp + fp)) and result["recall"] == pytest.approx(tp / (tp + fn))
    assert "precision" in result["report"] and "support" in result["report"]


def test_exercise_callbacks(data_dir, tmp_path):
    pytest.importorskip("tensorboard")
    from exercise_callbacks import main
    result = main(data_dir, epochs=20, verbose=0, out_dir=tmp_path)
    val_loss = result["history"]["val_loss"]
    best = int(np.argmin(val_loss))
    assert len(val_loss) < 20 and result["stopped_epoch"] == len(val_loss) - 1  # EarlyStopping ended it
    assert best == len(val_loss) - 2  # patience=1: one epoch without improvement
    # The checkpoint holds the best epoch's model: it scores that epoch's validation loss.
    assert result["best_loss"] == pytest.approx(val_loss[best], rel=1e-5) and result["best_accuracy"] >= 0.7
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
    validation = EventAccumulator(str(tmp_path / "tensorboard" / "validation"))
    validation.Reload()
    np.testing.assert_allclose([e.value for e in validation.Scalars("epoch_loss")], val_loss, rtol=1e-6)
