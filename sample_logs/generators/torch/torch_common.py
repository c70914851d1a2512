"""Synthetic data shared by train_lightning.py and train_plain.py (fixed seeds, no downloads)."""
import numpy as np

FAULTS = [
    "healthy", "bad_input_data", "exploding_gradients", "learning_rate_too_high",
    "unstable_loss_function", "label_out_of_range", "invalid_learning_rate",
    "mixed_precision_overflow",
]
BATCH = 16


# ----------------------------------------------------------------------------- data
def classification_data(rng, n, n_classes=5, dim=20):
    centers = rng.normal(0.0, 0.6, size=(n_classes, dim))
    y = np.arange(n) % n_classes
    rng.shuffle(y)
    x = centers[y] + rng.normal(0.0, 1.5, size=(n, dim))
    return x.astype(np.float32), y.astype(np.int64)


def make_data(fault, rng):
    """Return (x_train, y_train, x_val, y_val, task)."""
    if fault == "exploding_gradients":
        # linear regression; SGD lr slightly above the stability limit -> geometric growth
        dim, n = 5, 25 * BATCH
        w_true = rng.normal(0, 1, size=(dim, 1))
        x = rng.normal(0, 1, size=(n + 64, dim))
        y = x @ w_true + 0.1 * rng.normal(0, 1, size=(n + 64, 1))
        x, y = x.astype(np.float32), y.astype(np.float32)
        return x[:n], y[:n], x[n:], y[n:], "regression"
    if fault == "mixed_precision_overflow":
        # regression with large-valued targets: the prediction has to grow past fp16's max (65504)
        dim, n = 20, 20 * BATCH
        w_true = rng.normal(0, 1, size=(dim, 1))
        x = rng.normal(0, 1, size=(n + 64, dim))
        y = 3e4 + 3e4 * (x @ w_true) / np.sqrt(dim)
        x, y = x.astype(np.float32), y.astype(np.float32)
        return x[:n], y[:n], x[n:], y[n:], "big_regression"
    if fault == "unstable_loss_function":
        # binary, well separated; hand-written BCE on sigmoid probabilities
        dim, n = 20, 20 * BATCH
        y = (np.arange(n + 64) % 2).astype(np.float32)
        rng.shuffle(y)
        direction = rng.normal(0, 1, size=(dim,))
        direction /= np.linalg.norm(direction)
        x = rng.normal(0, 1, size=(n + 64, dim)) + np.outer(3.0 * (2 * y - 1), direction)
        x = x.astype(np.float32)
        y = y.reshape(-1, 1)
        return x[:n], y[:n], x[n:], y[n:], "binary"
    n = 20 * BATCH
    x, y = classification_data(rng, n + 64)
    xt, yt, xv, yv = x[:n], y[:n], x[n:], y[n:]
    if fault == "bad_input_data":
        xt = xt.copy()
        xt[6 * BATCH + 3, 5] = np.nan          # sample in batch 7 of epoch 0 (no shuffle)
    if fault == "label_out_of_range":
        yt = yt.copy()
        yt[4 * BATCH + 9] = 8000               # sample in batch 5 of epoch 0, 5 classes
    return xt, yt, xv, yv, "multiclass"
