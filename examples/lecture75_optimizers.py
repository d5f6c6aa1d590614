"""Lecture 75: optimizers -- SGD, momentum, Nesterov, Adam, Adagrad and RMSprop on the banknotes.

Run: python examples/lecture75_optimizers.py [--data-dir DIR] [--epochs 5] [--plot]
Data: banknotes.csv from --data-dir, else $ZERODL_DATA_DIR, else ../shared/data/course.
"""
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import scale

import zerodl.backend as K
from _course_data import course_data_dir, example_parser, history_frame, save_sweep_plot
from zerodl.datasets import course
from zerodl.layers import Dense
from zerodl.models import Sequential
from zerodl.optimizers import SGD, Adagrad, Adam, RMSprop  # noqa: F401 (named in strings, eval-ed)
from zerodl.utils import set_random_seed

def main(data_dir=None, epochs=5, verbose=1, plot=False):
    set_random_seed(0)
    df = course.load("banknotes", data_dir=course_data_dir(data_dir))
    X = scale(df.drop('class', axis=1).values)
    y = df['class'].values
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.3, random_state=42)

    runs = []
    optimizers = ['SGD(lr=0.01)',
                  'SGD(lr=0.01, momentum=0.3)',
                  'SGD(lr=0.01, momentum=0.3, nesterov=True)',
                  'Adam(lr=0.01)',
                  'Adagrad(lr=0.01)',
                  'RMSprop(lr=0.01)']
    for opt_name in optimizers:
        K.clear_session()
        model = Sequential()
        model.add(Dense(1, input_shape=(4,), activation='sigmoid'))
        model.compile(loss='binary_crossentropy', optimizer=eval(opt_name), metrics=['accuracy'])
        h = model.fit(X_train, y_train, batch_size=16, epochs=epochs, verbose=0)
        runs.append((opt_name, h))

    historydf = history_frame(runs, 'optimizers')  # epochs x (optimizers, metric) columns

    final_acc = historydf.xs('acc', axis=1, level='metric').iloc[-1]
    if verbose:
        print(historydf.xs('acc', axis=1, level='metric').round(3).T)
    print("Final accuracy by optimizer:", final_acc.round(3).to_dict())
    if plot:
        save_sweep_plot(historydf, "lecture75_optimizers.png")
    return {"historydf": historydf, "final_acc": final_acc.to_dict()}


if __name__ == "__main__":
    args = example_parser(__doc__, epochs=5, plot="a figure").parse_args()
    main(args.data_dir, args.epochs, plot=args.plot)
