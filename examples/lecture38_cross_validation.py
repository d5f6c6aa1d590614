"""Lecture 38: cross-validation -- a Keras model as a scikit-learn estimator, scored on 3 folds.

Run: python examples/lecture38_cross_validation.py [--data-dir DIR] [--epochs 25]
Data: user_visit_duration.csv (does a visitor buy, given the minutes on the site?) from --data-dir,
else $ZERODL_DATA_DIR, else ../shared/data/course.
"""
from sklearn.model_selection import KFold, cross_val_score

from _course_data import course_data_dir, example_parser
from zerodl.datasets import course
from zerodl.layers import Dense
from zerodl.models import Sequential
from zerodl.optimizers import SGD
from zerodl.utils import set_random_seed
from zerodl.wrappers.scikit_learn import KerasClassifier


def build_logistic_regression_model():
    model = Sequential()
    model.add(Dense(1, input_shape=(1,), activation='sigmoid'))
    model.compile(SGD(lr=0.5), 'binary_crossentropy', metrics=['accuracy'])
    return model


def main(data_dir=None, epochs=25, verbose=1):
    set_random_seed(0)
    df = course.load("user_visit_duration", data_dir=course_data_dir(data_dir))
    X = df[['Time (min)']].values
    y = df['Buy'].values

    model = KerasClassifier(build_fn=build_logistic_regression_model, epochs=epochs, verbose=0)
    cv = KFold(3, shuffle=True, random_state=0)
    scores = cross_val_score(model, X, y, cv=cv)
    if verbose:
        print(scores)
    print("The cross validation accuracy is {:0.4f} ± {:0.4f}".format(scores.mean(), scores.std()))
    return {"scores": scores}


if __name__ == "__main__":
    args = example_parser(__doc__, epochs=25).parse_args()
    main(args.data_dir, args.epochs)
