"""Lecture 76: initialization -- the banknotes model started from five kernel initializers.

Run: python examples/lecture76_initializers.py [--data-dir DIR] [--epochs 5] [--plot]
Data: banknotes.csv from --data-dir, else $ZERODL_DATA_DIR, else ../shared/data/course.
"""
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import scale

import zerodl.backend as K
from _course_data import course_data_dir, example_parser, history_frame, save_sweep_plot
from zerodl.datasets import course
from zerodl.layers import Dense
from zerodl.models import Sequential
from zerodl.utils import set_random_seed

def main(data_dir=None, epochs=5, verbose=1, plot=False):
    set_random_seed(0)
    df = course.load("banknotes", data_dir=course_data_dir(data_dir))
    X = scale(df.drop('class', axis=1).values)
    y = df['class'].values
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.3, random_state=42)

    runs = []
    initializers = ['zeros', 'uniform', 'normal',
                    'he_normal', 'lecun_uniform']
    for init in initializers:
        K.clear_session()
        model = Sequential()
        model.add(Dense(1, input_shape=(4,),
                        kernel_initializer=init,
                        activation='sigmoid'))
        model.compile(loss='binary_crossentropy',
                      optimizer='rmsprop',
                      metrics=['accuracy'])
        h = model.fit(X_train, y_train, batch_size=16, epochs=epochs, verbose=0)
        runs.append((init, h))

    historydf = history_frame(runs, 'initializers')  # epochs x (initializers, metric) columns

    acc = historydf.xs('acc', axis=1, level='metric')
    if verbose:
        print(acc.round(3))
    print("First and final accuracy by initializer:", acc.iloc[[0, -1]].round(3).to_dict())
    if plot:
        save_sweep_plot(historydf, "lecture76_initializers.png")
    return {"historydf": historydf, "first_acc": acc.iloc[0].to_dict(), "final_acc": acc.iloc[-1].to_dict()}


if __name__ == "__main__":
    args = example_parser(__doc__, epochs=5, plot="a figure").parse_args()
    main(args.data_dir, args.epochs, plot=args.plot)
