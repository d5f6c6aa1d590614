"""Callbacks exercise: EarlyStopping, ModelCheckpoint and TensorBoard watching a diabetes classifier.

Run: python examples/exercise_callbacks.py [--data-dir DIR] [--epochs 20] [--out-dir DIR]
Data: diabetes.csv from --data-dir, else $ZERODL_DATA_DIR, else ../shared/data/course.
Writes the best model to OUT/weights.hdf5 and TensorBoard logs to OUT/tensorboard
(default OUT: examples/output/callbacks); then `tensorboard --logdir OUT/tensorboard`.
"""
import pathlib

from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from _course_data import OUTPUT, course_data_dir, example_parser
from zerodl.callbacks import EarlyStopping, ModelCheckpoint, TensorBoard
from zerodl.datasets import course
from zerodl.layers import Dense
from zerodl.models import Sequential, load_model
from zerodl.optimizers import Adam
from zerodl.utils import set_random_seed


def main(data_dir=None, epochs=20, verbose=2, out_dir=None):
    set_random_seed(0)
    out_dir = pathlib.Path(out_dir or OUTPUT / "callbacks")
    df = course.load("diabetes", data_dir=course_data_dir(data_dir))
    X = StandardScaler().fit_transform(df.drop('Outcome', axis=1).values)
    y = df['Outcome'].values
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=22)

    model = Sequential()
    model.add(Dense(32, input_shape=(8,), activation='relu'))
    model.add(Dense(32, activation='relu'))
    model.add(Dense(1, activation='sigmoid'))
    model.compile(Adam(lr=0.01), 'binary_crossentropy', metrics=['accuracy'])

    checkpointer = ModelCheckpoint(filepath=str(out_dir / "weights.hdf5"), verbose=1, save_best_only=True)
    earlystopper = EarlyStopping(monitor='val_loss', min_delta=0, patience=1, verbose=1, mode='auto')
    tensorboard = TensorBoard(log_dir=str(out_dir / "tensorboard"))
    history = model.fit(X_train, y_train, validation_data=(X_test, y_test), epochs=epochs, batch_size=32,
                        verbose=verbose, callbacks=[checkpointer, earlystopper, tensorboard])

    best = load_model(str(out_dir / "weights.hdf5"))
    best_loss, best_accuracy = best.evaluate(X_test, y_test, verbose=0)
    print("Best model: test loss {:0.3f}, test accuracy {:0.3f}".format(best_loss, best_accuracy))
    return {"history": history.history, "stopped_epoch": earlystopper.stopped_epoch, "best_loss": best_loss,
            "best_accuracy": best_accuracy, "out_dir": out_dir}


if __name__ == "__main__":
    parser = example_parser(__doc__, epochs=20)
    parser.add_argument("--out-dir", help="where the checkpoint and the TensorBoard logs go")
    args = parser.parse_args()
    main(args.data_dir, args.epochs, out_dir=args.out_dir)
