"""The course's image and CNN code-alongs in examples/ run and reach the course's figures on real MNIST
digits (first 8,000 of the t10k file to train on, last 2,000 to test)."""
import pathlib
import sys

import pytest

EXAMPLES = pathlib.Path(__file__).resolve().parent.parent / "examples"
sys.path.insert(0, str(EXAMPLES))


def test_lecture89_mnist_dense(data_dir):
    from lecture89_mnist_dense import main
    result = main(data_dir, epochs=10, verbose=0)
    assert result["test_accuracy"] >= 0.94
    assert result["params"] == 784 * 512 + 512 + 512 * 256 + 256 + 256 * 128 + 128 + 128 * 32 + 32 + 32 * 10 + 10


def test_lecture92_tensor_math():
    from lecture92_tensor_math import main
    result = main()
    assert result["tensordot_01_shape"] == (4, 5) and result["tensordot_0_shape"] == (3, 4, 5, 3)
    assert result["double_matches"] and result["sum_matches"] and result["contraction_matches"]


def test_lecture94_convolutions(data_dir):
    pytest.importorskip("PIL")
    from lecture94_convolutions import main
    result = main(data_dir)
    assert result["convolve_1d"][5] == -1 and result["convolve_1d"][10] == 1  # the two edges of the step
    assert result["conv1d_layer_1d"] == result["convolve_1d"][1:15]  # Conv1D = np.convolve with b reversed
    assert result["image_shape"] == (512, 512)
    assert result["filtered_shapes"]["horizontal edges"] == (514, 514)
    assert max(result["layer_vs_convolution"].values()) < 1e-5  # Conv2D = convolve2d with the kernel flipped


def test_lecture96_conv_pool_layers(data_dir):
    pytest.importorskip("PIL")
    from lecture96_conv_pool_layers import main
    result = main(data_dir)
    assert result["conv_strided_shape"] == (1, 255, 510, 1)  # the course's figure
    assert result["kernel_shape"] == (3, 3, 1, 1)
    assert result["ones_first_output"] == pytest.approx(result["first_patch_sum"], rel=1e-6)
    assert result["conv_same_shape"] == (1, 512, 512, 1)
    assert result["max_pool_shape"] == result["avg_pool_shape"] == (102, 102)
    assert result["max_pool_first"] == result["first_window_max"]
    assert result["avg_pool_first"] == pytest.approx(result["first_window_mean"], rel=1e-6)


def test_lecture102_mnist_cnn(data_dir):
    from lecture102_mnist_cnn import main
    result = main(data_dir, epochs=10, verbose=0, summary=False, validation_split=0.0)  # 0.9755 (seed 0)
    assert result["test_accuracy"] >= 0.97
    assert result["params"] == 693962  # as the course's model.summary()
    assert result["output_shapes"][:2] == [(None, 26, 26, 32), (None, 13, 13, 32)]


def test_augmentation_with_image_data_generator(data_dir):
    pytest.importorskip("PIL")
    from improving_performance_augmentation import main
    result = main(data_dir, epochs=4, verbose=0)
    assert result["test_accuracy"] >= 0.95
    assert result["steps_per_epoch"] == 63 and result["augmented_batch_shape"] == (128, 28, 28, 1)
    assert result["directory_samples"] == 40 and result["directory_classes"] == {"0": 0, "1": 1}
    assert result["directory_batch_shape"] == (16, 128, 128, 3) and result["directory_labels"] == [0.0, 1.0]


def test_batch_normalization_and_dropout_comparison():
    pytest.importorskip("sklearn")
    from improving_performance_batchnorm_dropout import main
    result = main(epochs=6, repeats=1)
    assert result["val_acc_bn"] >= 0.9  # with BatchNormalization the sigmoid network learns in a few epochs
    assert result["val_acc_bn"] > result["val_acc"] + 0.5  # without it, plain SGD on sigmoids is still guessing
    assert result["dropout_test_accuracy"] >= 0.85
