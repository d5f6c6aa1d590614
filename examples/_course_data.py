"""What the examples share besides the course's code: where the data is, the command line, figures.

The CSVs are read with the library's own loader, zerodl.datasets.course.load(name, data_dir=...),
from course_data_dir(): --data-dir, else $ZERODL_DATA_DIR, else ../shared/data beside the checkout
(the loader also looks in its course/ subfolder).
"""
import argparse
import os
import pathlib

EXAMPLES = pathlib.Path(__file__).resolve().parent
OUTPUT = EXAMPLES / "output"
DEFAULT_DATA_DIR = EXAMPLES.parent.parent / "shared" / "data"


def course_data_dir(data_dir=None):
    """The data_dir to give course.load: data_dir; else None where $ZERODL_DATA_DIR is set (the loader
    reads it itself); else ../shared/data beside the checkout."""
    if data_dir or os.environ.get("ZERODL_DATA_DIR"):
        return data_dir
    return DEFAULT_DATA_DIR


def example_parser(doc, epochs, plot=None, data_dir="folder holding the course CSV files", epochs_help=None):
    """The examples' command line: --data-dir (unless data_dir is None), --epochs, and --plot when `plot`
    names what it saves ("a figure", "figures")."""
    parser = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    if data_dir:
        parser.add_argument("--data-dir", help=data_dir)
    parser.add_argument("--epochs", type=int, default=epochs, help=epochs_help)
    if plot:
        parser.add_argument("--plot", action="store_true", help=f"save {plot} under examples/output/ (matplotlib)")
    return parser


def history_frame(runs, name):
    """The course's sweep table from [(label, History), ...]: one row per epoch, columns (label, metric)."""
    import pandas as pd
    dflist = [pd.DataFrame(h.history, index=h.epoch) for _, h in runs]
    historydf = pd.concat(dflist, axis=1)
    metrics_reported = dflist[0].columns
    labels = [label for label, _ in runs]
    historydf.columns = pd.MultiIndex.from_product([labels, metrics_reported], names=[name, 'metric'])
    return historydf


def pyplot():
    """matplotlib.pyplot drawing to files (Agg), or None, said aloud, without matplotlib."""
    try:
        import matplotlib
    except ImportError:
        print("--plot needs matplotlib")
        return None
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    return plt


def save_figure(plt, name):
    """Save the current figure as examples/output/`name`."""
    path = OUTPUT / name
    path.parent.mkdir(exist_ok=True)
    plt.savefig(path)
    print(f"Saved {path}")


def save_sweep_plot(historydf, name):
    """The sweep lectures' figure: loss (top) and accuracy (bottom) of each setting, epoch by epoch."""
    plt = pyplot()
    if plt is None:
        return
    plt.figure()
    ax = plt.subplot(211)
    historydf.xs('loss', axis=1, level='metric').plot(ylim=(0, 1), ax=ax)
    plt.title("Loss")
    ax = plt.subplot(212)
    historydf.xs('acc', axis=1, level='metric').plot(ylim=(0, 1), ax=ax)
    plt.title("Accuracy")
    plt.xlabel("Epochs")
    plt.tight_layout()
    save_figure(plt, name)
