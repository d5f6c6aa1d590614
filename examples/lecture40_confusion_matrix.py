"""Lecture 40: confusion matrix and classification report of the visit-duration classifier.

Run: python examples/lecture40_confusion_matrix.py [--data-dir DIR] [--epochs 25]
Data: user_visit_duration.csv from --data-dir, else $ZERODL_DATA_DIR, else ../shared/data/course.
"""
import pandas as pd
from sklearn.metrics import classification_report, confusion_matrix, f1_score, precision_score, recall_score

from _course_data import course_data_dir, example_parser
from zerodl.datasets import course
from zerodl.layers import Dense
from zerodl.models import Sequential
from zerodl.optimizers import SGD
from zerodl.utils import set_random_seed


def pretty_confusion_matrix(y_true, y_pred, labels=["False", "True"]):
    cm = confusion_matrix(y_true, y_pred)
    pred_labels = ['Predicted ' + l for l in labels]
    df = pd.DataFrame(cm, index=labels, columns=pred_labels)
    return df


def main(data_dir=None, epochs=25, verbose=1):
    set_random_seed(0)
    df = course.load("user_visit_duration", data_dir=course_data_dir(data_dir))
    X = df[['Time (min)']].values
    y = df['Buy'].values

    model = Sequential()
    model.add(Dense(1, input_shape=(1,), activation='sigmoid'))
    model.compile(SGD(lr=0.5), 'binary_crossentropy', metrics=['accuracy'])
    model.fit(X, y, epochs=epochs, verbose=verbose)
    y_class_pred = model.predict(X) > 0.5

    print(confusion_matrix(y, y_class_pred))
    table = pretty_confusion_matrix(y, y_class_pred, ['Not Buy', 'Buy'])
    print(table)
    precision, recall, f1 = precision_score(y, y_class_pred), recall_score(y, y_class_pred), f1_score(y, y_class_pred)
    print("Precision:\t{:0.3f}".format(precision))
    print("Recall:  \t{:0.3f}".format(recall))
    print("F1 Score:\t{:0.3f}".format(f1))
    report = classification_report(y, y_class_pred)
    print(report)
    return {"confusion_matrix": table, "precision": precision, "recall": recall, "f1": f1, "report": report,
            "y": y, "y_class_pred": y_class_pred}


if __name__ == "__main__":
    args = example_parser(__doc__, epochs=25).parse_args()
    main(args.data_dir, args.epochs)
