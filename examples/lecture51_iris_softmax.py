"""Lecture 51: iris flowers -- multiclass logistic regression with a softmax output.

Run: python examples/lecture51_iris_softmax.py [--data-dir DIR] [--epochs 20]
Data: iris.csv from --data-dir, else $ZERODL_DATA_DIR, else ../shared/data/course.
"""
import numpy as np
import pandas as pd
from sklearn.metrics import accuracy_score, classification_report, confusion_matrix
from sklearn.model_selection import train_test_split

from _course_data import course_data_dir, example_parser
from zerodl.datasets import course
from zerodl.layers import Dense
from zerodl.models import Sequential
from zerodl.optimizers import Adam
from zerodl.utils import set_random_seed, to_categorical


def main(data_dir=None, epochs=20, verbose=1):
    set_random_seed(0)
    df = course.load("iris", data_dir=course_data_dir(data_dir))

    X = df.drop('species', axis=1)
    target_names = df['species'].unique()
    target_dict = {n: i for i, n in enumerate(target_names)}
    y = df['species'].map(target_dict)
    y_cat = to_categorical(y)
    same_as_dummies = np.array_equal(pd.get_dummies(df['species']).values, y_cat)  # the pandas way

    X_train, X_test, y_train, y_test = train_test_split(X.values, y_cat, test_size=0.2, random_state=0)

    model = Sequential()
    model.add(Dense(3, input_shape=(4,), activation='softmax'))
    model.compile(Adam(lr=0.1), loss='categorical_crossentropy', metrics=['accuracy'])
    history = model.fit(X_train, y_train, epochs=epochs, validation_split=0.1, verbose=verbose)

    y_pred = model.predict(X_test)
    y_test_class = np.argmax(y_test, axis=1)
    y_pred_class = np.argmax(y_pred, axis=1)
    print(classification_report(y_test_class, y_pred_class, target_names=target_names, zero_division=0))
    print(confusion_matrix(y_test_class, y_pred_class))
    test_accuracy = accuracy_score(y_test_class, y_pred_class)
    print("The Accuracy score on the Test set is:\t{:0.3f}".format(test_accuracy))
    return {"test_accuracy": test_accuracy, "val_acc": history.history['val_acc'][-1],
            "probabilities_sum_to_one": bool(np.allclose(y_pred.sum(axis=1), 1, atol=1e-5)),
            "same_as_dummies": same_as_dummies}


if __name__ == "__main__":
    args = example_parser(__doc__, epochs=20).parse_args()
    main(args.data_dir, args.epochs)
