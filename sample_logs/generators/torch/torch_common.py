"""Synthetic data and helpers shared by train_lightning.py and train_plain.py (fixed seeds, no
downloads).

The holdout options (add_holdout_args: --seed --batch --n-batches --dim --width --depth --lr
--epochs --nan-batch --label-batch --decay-steps --init-scale, plus --fp16 for Lightning and
--acc for the plain loops) live here so that the training scripts keep their line numbers: the
original corpus logs contain tracebacks / warnings that quote lines of those scripts. All
defaults reproduce the original corpus exactly.
"""
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

FAULTS = [
    "healthy", "bad_input_data", "exploding_gradients", "learning_rate_too_high",
    "unstable_loss_function", "label_out_of_range", "invalid_learning_rate",
    "mixed_precision_overflow",
]
PLAIN_FAULTS = FAULTS + ["wrong_output_activation"]   # only train_plain.py implements the last one
BATCH = 16


# ----------------------------------------------------------------------------- data
def classification_data(rng, n, n_classes=5, dim=20):
    centers = rng.normal(0.0, 0.6, size=(n_classes, dim))
    y = np.arange(n) % n_classes
    rng.shuffle(y)
    x = centers[y] + rng.normal(0.0, 1.5, size=(n, dim))
    return x.astype(np.float32), y.astype(np.int64)


def make_data(fault, rng, batch=BATCH, n_batches=None, nan_batch=7, label_batch=5, dim=None):
    """Return (x_train, y_train, x_val, y_val, task).

    The keyword arguments (used by the holdout runs) default to the values of the original
    corpus, so make_data(fault, rng) is unchanged. nan_batch / label_batch are 1-based batch
    numbers in epoch 1 (no shuffle)."""
    BATCH = batch  # noqa: N806 (local override of the module default)
    if fault == "exploding_gradients":
        # linear regression; SGD lr slightly above the stability limit -> geometric growth
        dim, n = dim or 5, (n_batches or 25) * BATCH
        w_true = rng.normal(0, 1, size=(dim, 1))
        x = rng.normal(0, 1, size=(n + 64, dim))
        y = x @ w_true + 0.1 * rng.normal(0, 1, size=(n + 64, 1))
        x, y = x.astype(np.float32), y.astype(np.float32)
        return x[:n], y[:n], x[n:], y[n:], "regression"
    if fault == "mixed_precision_overflow":
        # regression with large-valued targets: the prediction has to grow past fp16's max (65504)
        dim, n = dim or 20, (n_batches or 20) * BATCH
        w_true = rng.normal(0, 1, size=(dim, 1))
        x = rng.normal(0, 1, size=(n + 64, dim))
        y = 3e4 + 3e4 * (x @ w_true) / np.sqrt(dim)
        x, y = x.astype(np.float32), y.astype(np.float32)
        return x[:n], y[:n], x[n:], y[n:], "big_regression"
    if fault == "unstable_loss_function":
        # binary, well separated; hand-written BCE on sigmoid probabilities
        dim, n = dim or 20, (n_batches or 20) * BATCH
        y = (np.arange(n + 64) % 2).astype(np.float32)
        rng.shuffle(y)
        direction = rng.normal(0, 1, size=(dim,))
        direction /= np.linalg.norm(direction)
        x = rng.normal(0, 1, size=(n + 64, dim)) + np.outer(3.0 * (2 * y - 1), direction)
        x = x.astype(np.float32)
        y = y.reshape(-1, 1)
        return x[:n], y[:n], x[n:], y[n:], "binary"
    n = (n_batches or 20) * BATCH
    x, y = classification_data(rng, n + 64, dim=dim or 20)
    xt, yt, xv, yv = x[:n], y[:n], x[n:], y[n:]
    if fault == "wrong_output_activation":
        return xt, yt, xv, yv, "probs"          # classifier with relu outputs read as probabilities
    if fault == "bad_input_data":
        xt = xt.copy()
        xt[(nan_batch - 1) * BATCH + 3 % BATCH, 5] = np.nan  # batch 7 of epoch 0 by default (no shuffle)
    if fault == "label_out_of_range":
        yt = yt.copy()
        yt[(label_batch - 1) * BATCH + 9 % BATCH] = 8000  # batch 5 of epoch 0 by default, 5 classes
    return xt, yt, xv, yv, "multiclass"


# ----------------------------------------------------------------------------- holdout options
HP0 = {"width": 32, "depth": 1, "lr": None, "decay_steps": 30}


def add_holdout_args(ap, lightning=False):
    ap.add_argument("--seed", type=int, default=1234)
    ap.add_argument("--batch", type=int, default=BATCH)
    ap.add_argument("--n-batches", type=int, default=None, help="training batches per epoch")
    ap.add_argument("--dim", type=int, default=None, help="input features")
    ap.add_argument("--width", type=int, default=HP0["width"], help="hidden width")
    ap.add_argument("--depth", type=int, default=HP0["depth"], help="hidden layers")
    ap.add_argument("--lr", type=float, default=None, help="override the fault's learning rate")
    ap.add_argument("--epochs", type=int, default=None)
    ap.add_argument("--nan-batch", type=int, default=7, help="bad_input_data: 1-based batch")
    ap.add_argument("--label-batch", type=int, default=5, help="label_out_of_range: 1-based batch")
    ap.add_argument("--decay-steps", type=int, default=HP0["decay_steps"],
                    help="invalid_learning_rate: poly decay length (run is longer)")
    ap.add_argument("--init-scale", type=float, default=None, help="fp16 GradScaler init_scale")
    if lightning:
        ap.add_argument("--fp16", action="store_true",
                        help="fp16 MixedPrecision plugin (CPU GradScaler) for any fault")
    else:
        ap.add_argument("--acc", action="store_true", help="also print the batch accuracy")
    return ap


def data_kwargs(args):
    return {"batch": args.batch, "n_batches": args.n_batches, "nan_batch": args.nan_batch,
            "label_batch": args.label_batch, "dim": args.dim}


def hp_kwargs(args):
    return {"width": args.width, "depth": args.depth, "lr": args.lr, "decay_steps": args.decay_steps}


def scaler_kwargs(args):
    return {} if args.init_scale is None else {"init_scale": args.init_scale}


def mlp(dim, n_out, hp, relu_out=False):
    """Linear(dim, w) ReLU [Linear(w, w) ReLU]*(depth-1) Linear(w, n_out) [ReLU]; with the default
    hp this is exactly the original nn.Sequential(Linear(dim, 32), ReLU(), Linear(32, n_out))."""
    w = hp["width"]
    layers = [nn.Linear(dim, w), nn.ReLU()]
    for _ in range(hp["depth"] - 1):
        layers += [nn.Linear(w, w), nn.ReLU()]
    layers.append(nn.Linear(w, n_out))
    if relu_out:
        layers.append(nn.ReLU())      # wrong_output_activation: relu on the classifier's output
    return nn.Sequential(*layers)


def probs_cross_entropy(out, y):
    """Hand-written categorical cross-entropy that reads the model outputs as unnormalised
    probabilities, like Keras' categorical_crossentropy(from_logits=False): p = out / sum(out),
    clipped to [1e-7, 1 - 1e-7], loss = -sum(onehot * log p). A row of all-zero relu outputs
    gives 0/0 = nan."""
    p = (out / out.sum(dim=1, keepdim=True)).clamp(1e-7, 1 - 1e-7)
    return -(F.one_hot(y, out.shape[1]).float() * torch.log(p)).sum(dim=1).mean()


def batch_acc(out, y):
    return (out.detach().argmax(dim=1) == y).float().mean().item()


ACC_FMT = {"print": " acc {:.4f}", "anomaly": " acc {:.4f}", "fp16": " acc {:.4f}",
           "chinese": " 准确率: {:.4f}", "logging": ", acc={:.4f}"}


def acc_suffix(style, out, y):
    return ACC_FMT.get(style, "").format(batch_acc(out, y))
