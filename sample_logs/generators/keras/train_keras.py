"""Small Keras training runs with an injected fault, used to capture REAL Keras logs for nanlog's
test corpus.  Not part of the nanlog package; never imported by it.

    python train_keras.py --api keras3|tfkeras --fault FAULT [--verbose 1|2] [--val]
                          [--terminate-on-nan] --truth /opt/nanlog-dev/truth/NAME.json
                          [--seed N] [--batch-size N] [--batches N] [--width N] [--depth N]
                          [--epochs N] [--lr X] [--bad-batch N] [--decay-epochs N]
                          [--healthy-mode default|highlr|fp16]

The optional settings (seed, model size, batch size/count, lr, where the bad sample sits, ...)
default to the values used for sample_logs/keras/; make_keras_holdout.sh varies them.

The ground truth (first non-finite training loss) is found by a callback while training and is
written to the --truth JSON file; it is never derived from the log text.  Note: the `loss` Keras
passes to on_train_batch_end is the running mean over the epoch so far (the same value the
progress bar shows), so the first non-finite running mean is recorded.
"""
import argparse
import json
import math
import os
import random
import time

ap = argparse.ArgumentParser()
ap.add_argument("--api", choices=["keras3", "tfkeras"], required=True)
ap.add_argument("--fault", required=True)
ap.add_argument("--verbose", type=int, default=1)
ap.add_argument("--val", action="store_true", help="pass validation_data")
ap.add_argument("--terminate-on-nan", action="store_true")
ap.add_argument("--truth", required=True)
ap.add_argument("--batch-sleep", type=float, default=0.06,
                help="seconds the input pipeline waits per batch (like a slow data loader), so that "
                     "the progress bar, which redraws at most every 0.05 s, shows every batch")
ap.add_argument("--seed", type=int, default=1234)
ap.add_argument("--batch-size", type=int, default=32)
ap.add_argument("--batches", type=int, default=20, help="batches per epoch")
ap.add_argument("--width", type=int, default=32, help="hidden units of the MLP classifier")
ap.add_argument("--depth", type=int, default=2, help="hidden layers of the MLP classifier")
ap.add_argument("--epochs", type=int, default=None, help="default: the fault's own value")
ap.add_argument("--lr", type=float, default=None,
                help="learning rate; default: the fault's own value (or its env variable)")
ap.add_argument("--bad-batch", type=int, default=15,
                help="1-based batch of epoch 1 holding the NaN sample / the label 8000")
ap.add_argument("--decay-epochs", type=int, default=3,
                help="invalid_learning_rate: epochs of the sqrt decay (nan after that)")
ap.add_argument("--healthy-mode", choices=["default", "highlr", "fp16"], default="default",
                help="healthy only: highlr = SGD with a high but stable lr (noisy loss); "
                     "fp16 = mixed_float16 regression whose first steps overflow the loss scale")
args = ap.parse_args()

import numpy as np
import tensorflow as tf

if args.api == "keras3":
    import keras
else:
    import tf_keras as keras

SEED = args.seed
random.seed(SEED)
np.random.seed(SEED)
tf.random.set_seed(SEED)
try:
    keras.utils.set_random_seed(SEED)
except Exception:
    pass

BS = args.batch_size
NB = args.batches  # batches per epoch
N = BS * NB
NCLS = 5
NFEAT = 8
rng = np.random.default_rng(SEED)


CENTERS = rng.normal(0.0, 3.0, size=(NCLS, NFEAT))


def blobs(n):
    """5-class gaussian blobs in 8 dims (easy, converges); same centers for train and val."""
    centers = CENTERS
    y = rng.integers(0, NCLS, size=n)
    x = centers[y] + rng.normal(0.0, 1.0, size=(n, NFEAT))
    return x.astype("float32"), y.astype("int64")


def mlp_classifier(out_act="softmax", hidden_act="tanh"):
    return keras.Sequential([
        keras.Input(shape=(NFEAT,)),
        # tanh hidden layers by default: a relu hidden layer maps NaN inputs to 0 on TF/oneDNN
        # CPU, which hides a NaN input sample (loss settles at ln(5) instead of nan)
        *[keras.layers.Dense(args.width, activation=hidden_act) for _ in range(args.depth)],
        keras.layers.Dense(NCLS, activation=out_act),
    ])


def lr_or(default):
    return float(default) if args.lr is None else args.lr


class GroundTruth(keras.callbacks.Callback):
    """Records the first batch whose (running-mean) training loss is non-finite."""

    def __init__(self, path):
        super().__init__()
        self.path = path
        self.epoch = 0
        self.global_step = 0
        self.found = None
        self.first_nonfinite_lr = None
        self.overflow_steps = []  # global steps whose gradients overflowed (fp16 loss scaling)
        self.last_scale = float("inf")
        self._write()

    def _write(self):
        rec = self.found or {"epoch": None, "batch_in_epoch": None, "global_step": None,
                             "metric": None, "value": None}
        rec = dict(rec)
        rec["note"] = ("loss is Keras' running mean over the epoch (logs['loss'] in "
                       "on_train_batch_end)")
        if self.first_nonfinite_lr is not None:
            rec["first_nonfinite_lr"] = self.first_nonfinite_lr
        if args.healthy_mode == "fp16":
            rec["loss_scale_overflow_steps"] = self.overflow_steps
            rec["final_loss_scale"] = self.last_scale
        os.makedirs(os.path.dirname(self.path), exist_ok=True)
        with open(self.path, "w") as f:
            json.dump(rec, f, indent=1)

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch = epoch + 1  # Keras prints "Epoch 1/N"

    def on_train_batch_begin(self, batch, logs=None):
        # after every on_epoch_begin (incl. LearningRateScheduler's) has run
        if batch == 0 and self.first_nonfinite_lr is None:
            try:
                lr = float(np.asarray(self.model.optimizer.learning_rate))
            except Exception:
                lr = None
            if lr is not None and not math.isfinite(lr):
                self.first_nonfinite_lr = {"epoch": self.epoch, "value": repr(lr)}
                self._write()

    def on_train_batch_end(self, batch, logs=None):
        self.global_step += 1
        if args.healthy_mode == "fp16":
            opt = self.model.optimizer
            scale = float(np.asarray(getattr(opt, "dynamic_scale", None)
                                     if hasattr(opt, "dynamic_scale") else opt.loss_scale))
            if scale < self.last_scale:  # the step overflowed: skipped, scale halved
                self.overflow_steps.append(self.global_step)
                self._write()
            self.last_scale = scale
        if self.found is not None or not logs or "loss" not in logs:
            return
        v = float(np.asarray(logs["loss"]))
        if not math.isfinite(v):
            self.found = {"epoch": self.epoch, "batch_in_epoch": batch + 1,
                          "global_step": self.global_step, "metric": "loss", "value": repr(v)}
            self._write()


fault = args.fault
epochs = 5
callbacks = [GroundTruth(args.truth)]
loss = "sparse_categorical_crossentropy"
metrics = ["accuracy"]
optimizer = keras.optimizers.Adam(learning_rate=1e-2)

if fault == "healthy" and args.healthy_mode == "fp16":
    # mixed_float16 regression with moderate targets (|y| up to a few hundred, far below 65504):
    # the loss scale starts at 2**15, so the first backward passes overflow fp16, the
    # LossScaleOptimizer skips those steps and halves the scale, then training converges.
    keras.mixed_precision.set_global_policy("mixed_float16")
    epochs = 6
    x = rng.normal(0.0, 1.0, size=(N, NFEAT)).astype("float32")
    w_true = rng.uniform(20.0, 60.0, size=(NFEAT, 1))
    y = (x @ w_true).astype("float32")
    xv = rng.normal(0.0, 1.0, size=(160, NFEAT)).astype("float32")
    yv = (xv @ w_true).astype("float32")
    model = keras.Sequential([
        keras.Input(shape=(NFEAT,)),
        keras.layers.Dense(args.width, activation="relu"),
        keras.layers.Dense(1),
    ])
    optimizer = keras.optimizers.Adam(learning_rate=lr_or(0.05))
    loss = "mse"
    metrics = []
elif fault in ("healthy", "bad_input_data", "label_out_of_range", "learning_rate_too_high",
             "invalid_learning_rate"):
    x, y = blobs(N)
    xv, yv = blobs(160)
    model = mlp_classifier()
    if fault == "bad_input_data":
        # one corrupted feature value in sample 453 -> batch 15 of epoch 1 (no shuffle)
        x[(args.bad_batch - 1) * BS + 5, 3] = np.nan
    elif fault == "label_out_of_range":
        # label 8000 with 5 classes in batch 15 of epoch 1 (no shuffle)
        y[(args.bad_batch - 1) * BS + 5] = 8000
    elif fault == "learning_rate_too_high":
        # relu hidden layers (tanh would saturate and keep the loss finite)
        model = mlp_classifier(hidden_act="relu")
        optimizer = keras.optimizers.SGD(learning_rate=lr_or(os.environ.get("HIGH_LR", "10")))
    elif fault == "invalid_learning_rate":
        epochs = 6
        base_lr = lr_or(0.05)
        optimizer = keras.optimizers.SGD(learning_rate=base_lr)
        decay_epochs = args.decay_epochs  # bug: shorter than the run -> sqrt(negative) = nan

        def schedule(epoch, lr):
            return float(base_lr * np.sqrt(np.float64(1.0 - epoch / decay_epochs)))

        callbacks.append(keras.callbacks.LearningRateScheduler(schedule, verbose=1))
    elif fault == "healthy" and args.healthy_mode == "highlr":
        # plain SGD with a high but still stable lr: the loss is noisy and spikes, then recovers
        optimizer = keras.optimizers.SGD(learning_rate=lr_or(0.5))
    elif fault == "healthy" and args.healthy_mode == "default" and args.lr is not None:
        optimizer = keras.optimizers.Adam(learning_rate=args.lr)
elif fault == "exploding_gradients":
    # Linear regression trained with plain SGD slightly above the stability limit
    # (lr > 1/lambda_max of the MSE Hessian 2*E[xx^T] = 2*I): the error is multiplied by
    # about |1 - 2*lr| > 1 every step, so loss and gradients grow geometrically until overflow.
    epochs = 20
    x = rng.normal(0.0, 1.0, size=(N, NFEAT)).astype("float32")
    w_true = rng.normal(0.0, 1.0, size=(NFEAT, 1))
    y = (x @ w_true + 0.1 * rng.normal(size=(N, 1))).astype("float32")
    xv = rng.normal(0.0, 1.0, size=(160, NFEAT)).astype("float32")
    yv = (xv @ w_true).astype("float32")
    model = keras.Sequential([keras.Input(shape=(NFEAT,)), keras.layers.Dense(1)])
    optimizer = keras.optimizers.SGD(learning_rate=lr_or(os.environ.get("EXPLODE_LR", "1.05")))
    loss = "mse"
    metrics = ["mae"]
elif fault == "unstable_loss_function":
    # Hand-written binary cross-entropy without clipping: once a sigmoid output rounds to
    # exactly 1.0 (or 0.0) in float32, 0 * log(0) = nan.
    epochs = 8
    x = rng.normal(0.0, 1.0, size=(N, NFEAT)).astype("float32")
    y = (x[:, :1] + 0.5 * x[:, 1:2] > 0).astype("float32")
    xv = rng.normal(0.0, 1.0, size=(160, NFEAT)).astype("float32")
    yv = (xv[:, :1] + 0.5 * xv[:, 1:2] > 0).astype("float32")
    model = keras.Sequential([
        keras.Input(shape=(NFEAT,)),
        keras.layers.Dense(16, activation="relu"),
        keras.layers.Dense(1, activation="sigmoid"),
    ])

    def naive_bce(y_true, y_pred):
        return -tf.reduce_mean(y_true * tf.math.log(y_pred)
                               + (1.0 - y_true) * tf.math.log(1.0 - y_pred), axis=-1)

    loss = naive_bce
    optimizer = keras.optimizers.Adam(learning_rate=lr_or(os.environ.get("UNSTABLE_LR", "0.01")))
elif fault == "wrong_output_activation":
    # relu on the output layer + categorical cross-entropy on probabilities
    x, yi = blobs(N)
    xv, yvi = blobs(160)
    y = np.eye(NCLS, dtype="float32")[yi]
    yv = np.eye(NCLS, dtype="float32")[yvi]
    model = mlp_classifier(out_act="relu")
    loss = "categorical_crossentropy"
    if args.lr is not None:
        optimizer = keras.optimizers.Adam(learning_rate=args.lr)
elif fault == "mixed_precision_overflow":
    # float16 compute: un-normalised regression targets (prices up to ~1.2e5, 79% above 65504) push the fp16
    # output layer past 65504 -> inf.
    keras.mixed_precision.set_global_policy("mixed_float16")
    epochs = 8
    x = rng.uniform(0.0, 1.0, size=(N, NFEAT)).astype("float32")
    w_true = rng.uniform(5e3, 3e4, size=(NFEAT, 1))
    y = (x @ w_true).astype("float32")
    xv = rng.uniform(0.0, 1.0, size=(160, NFEAT)).astype("float32")
    yv = (xv @ w_true).astype("float32")
    model = keras.Sequential([
        keras.Input(shape=(NFEAT,)),
        keras.layers.Dense(32, activation="relu"),
        keras.layers.Dense(1),
    ])
    optimizer = keras.optimizers.Adam(learning_rate=lr_or(os.environ.get("MP_LR", "20")))
    loss = "mse"
    # no metric: keras computes mae in the fp16 compute dtype, where the targets themselves
    # (> 65504) are already inf from batch 1, which would hide when the loss overflows
    metrics = []
else:
    raise SystemExit(f"unknown fault {fault}")

if args.terminate_on_nan:
    callbacks.append(keras.callbacks.TerminateOnNaN())

model.compile(optimizer=optimizer, loss=loss, metrics=metrics)

# fixed order (no shuffle): batch k of every epoch is always samples [32k, 32k+32)
train = tf.data.Dataset.from_tensor_slices((x, y)).batch(BS)
if args.batch_sleep > 0:
    # a slow input pipeline (C++ sleep op of tf.data, no Python callback involved: a
    # tf.numpy_function here hangs the interpreter at exit after an exception, and a sleeping
    # Keras callback makes tf-keras print a "Callback method is slow" warning)
    from tensorflow.python.data.experimental.ops import testing as tfdata_testing
    train = train.apply(tfdata_testing.sleep(int(args.batch_sleep * 1e6)))
if args.epochs is not None:
    epochs = args.epochs
model.fit(train, epochs=epochs, verbose=args.verbose, shuffle=False,
          validation_data=(xv, yv) if args.val else None, callbacks=callbacks)
