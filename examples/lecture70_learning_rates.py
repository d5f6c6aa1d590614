"""Lecture 70: learning rates -- one logistic regression on the banknotes, trained with four SGD rates.

Run: python examples/lecture70_learning_rates.py [--data-dir DIR] [--epochs 10] [--plot]
Data: banknotes.csv from --data-dir, else $ZERODL_DATA_DIR, else ../shared/data/course.
"""
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import scale

import zerodl.backend as K
from _course_data import course_data_dir, example_parser, history_frame, save_sweep_plot
from zerodl.datasets import course
from zerodl.layers import Dense
from zerodl.models import Sequential
from zerodl.optimizers import SGD
from zerodl.utils import set_random_seed

def main(data_dir=None, epochs=10, verbose=1, plot=False):
    set_random_seed(0)
    df = course.load("banknotes", data_dir=course_data_dir(data_dir))
    X = scale(df.drop('class', axis=1).values)
    y = df['class'].values
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.3, random_state=42)

    runs = []
    learning_rates = [0.01, 0.05, 0.1, 0.5]
    for lr in learning_rates:
        K.clear_session()
        model = Sequential()
        model.add(Dense(1, input_shape=(4,), activation='sigmoid'))
        model.compile(loss='binary_crossentropy', optimizer=SGD(lr=lr), metrics=['accuracy'])
        h = model.fit(X_train, y_train, batch_size=16, epochs=epochs, verbose=0)
        runs.append((lr, h))

    historydf = history_frame(runs, 'learning_rate')  # epochs x (learning_rate, metric) columns

    final_acc = historydf.xs('acc', axis=1, level='metric').iloc[-1]
    if verbose:
        print(historydf.xs('acc', axis=1, level='metric').round(3))
    print("Final accuracy by learning rate:", final_acc.round(3).to_dict())
    if plot:
        save_sweep_plot(historydf, "lecture70_learning_rates.png")
    return {"historydf": historydf, "final_acc": final_acc.to_dict()}


if __name__ == "__main__":
    args = example_parser(__doc__, epochs=10, plot="a figure").parse_args()
    main(args.data_dir, args.epochs, plot=args.plot)
