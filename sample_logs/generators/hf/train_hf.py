#!/usr/bin/env python
"""Real Hugging Face Trainer runs with an injected fault, for the nanlog sample-log corpus.

Usage: python train_hf.py --fault FAULT --label LABEL [--nofilter] [--outdir DIR]
       [--seed N] [--lr LR] [--epochs N] [--batch-size N] [--logging-steps N] [--hidden N]
       [--depth N] [--dim N] [--bad-step N] [--bad-value nan|inf] [--bad-label-batch N]
       [--decay-steps N] [--eval-steps N] [--save-steps N] [--max-grad-norm X] [--truth-dir DIR]
Every optional knob defaults to None = the fault's built-in setting (so runs without them are
exactly the runs of make_hf.sh); make_hf_holdout.sh uses them to vary seed/size/lr/etc.

The Trainer itself prints everything that ends up in the captured log (ProgressCallback:
tqdm bar on stderr + one dict per logging step on stdout). This script prints nothing to the
console; it only writes the ground-truth sidecar /opt/nanlog-dev/truth/<LABEL>.json, found by
checking math.isfinite() on every training loss the Trainer computes (training_step override).

Ground-truth convention: global_step is 1-based = Trainer.state.global_step + 1 at the moment
training_step() returns (the step that is being computed); epoch is the fractional epoch the
Trainer will log after that step (state.epoch = epoch_index + batch_in_epoch / steps_per_epoch);
epoch_index is the 1-based epoch number; batch_in_epoch is 1-based.
"""
import argparse
import json
import math
import os

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import Dataset

from transformers import (BertConfig, BertForSequenceClassification, Trainer,
                          TrainingArguments, set_seed)

FAULTS = ["healthy", "bad_input_data", "exploding_gradients", "learning_rate_too_high",
          "unstable_loss_function", "invalid_learning_rate", "label_out_of_range",
          "mixed_precision_overflow"]
TRUTH_DIR = "/opt/nanlog-dev/truth"


# ----------------------------------------------------------------------------- data
class DictDataset(Dataset):
    """A torch Dataset returning dicts of tensors (no `datasets` library)."""

    def __init__(self, **columns):
        self.columns = columns
        self.n = len(next(iter(columns.values())))

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        return {k: v[i] for k, v in self.columns.items()}


def token_data(n, seed, seq_len=16, vocab=100, num_labels=5):
    """Token sequences; the label is a simple function of the tokens (learnable)."""
    g = np.random.default_rng(seed)
    ids = g.integers(1, vocab, size=(n, seq_len))
    labels = ids[:, 0] % num_labels
    return (torch.tensor(ids, dtype=torch.long), torch.ones(n, seq_len, dtype=torch.long),
            torch.tensor(labels, dtype=torch.long))


def float_class_data(n, seed, dim=20, num_labels=5):
    """Gaussian features; labels from a fixed random linear teacher."""
    g = np.random.default_rng(seed)
    x = g.normal(size=(n, dim)).astype(np.float32)
    teacher = np.random.default_rng(1234).normal(size=(dim, num_labels)).astype(np.float32)
    y = (x @ teacher).argmax(1)
    return torch.tensor(x), torch.tensor(y, dtype=torch.long)


def regression_data(n, seed, dim=8):
    g = np.random.default_rng(seed)
    x = g.normal(size=(n, dim)).astype(np.float32)
    w = np.random.default_rng(99).normal(size=(dim,)).astype(np.float32)
    y = x @ w + 0.1 * g.normal(size=n).astype(np.float32)
    return torch.tensor(x), torch.tensor(y, dtype=torch.float32)


# ----------------------------------------------------------------------------- models
class MLPClassifier(nn.Module):
    """Float-feature classifier returning {'loss', 'logits'} like a HF model."""

    def __init__(self, dim=20, hidden=64, num_labels=5, loss="ce"):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(dim, hidden), nn.ReLU(),
                                 nn.Linear(hidden, hidden), nn.ReLU(),
                                 nn.Linear(hidden, num_labels))
        self.loss_kind = loss
        self.num_labels = num_labels

    def forward(self, features, labels=None):
        logits = self.net(features)
        loss = None
        if labels is not None:
            if self.loss_kind == "ce":
                loss = F.cross_entropy(logits, labels)
            else:
                # hand-written one-vs-rest binary cross-entropy: log(p) and log(1-p)
                # with p = sigmoid(logits). Once a logit saturates p to exactly 0 or 1
                # in float32, 0 * log(0) = 0 * -inf = nan.
                t = F.one_hot(labels, self.num_labels).float()
                p = torch.sigmoid(logits)
                loss = -(t * torch.log(p) + (1 - t) * torch.log(1 - p)).mean()
        return {"loss": loss, "logits": logits}


class LinearRegressor(nn.Module):
    def __init__(self, dim=8):
        super().__init__()
        self.lin = nn.Linear(dim, 1)

    def forward(self, features, labels=None):
        pred = self.lin(features).squeeze(-1)
        loss = F.mse_loss(pred, labels) if labels is not None else None
        return {"loss": loss, "logits": pred}


class MLPRegressor(nn.Module):
    """MLP regression with MSE loss, returning {'loss', 'logits'}."""

    def __init__(self, dim=8, hidden=64, depth=2):
        super().__init__()
        layers, d = [], dim
        for _ in range(depth):
            layers += [nn.Linear(d, hidden), nn.ReLU()]
            d = hidden
        self.net = nn.Sequential(*layers, nn.Linear(d, 1))

    def forward(self, features, labels=None):
        pred = self.net(features).squeeze(-1)
        loss = F.mse_loss(pred, labels) if labels is not None else None
        return {"loss": loss, "logits": pred}


class ScaledMLP(nn.Module):
    """MLP whose hidden activations exceed the fp16 range (for fp16 autocast)."""

    def __init__(self, dim=20, hidden=256, num_labels=5):
        super().__init__()
        self.l1 = nn.Linear(dim, hidden)
        self.l2 = nn.Linear(hidden, hidden)
        self.out = nn.Linear(hidden, num_labels)

    def forward(self, features, labels=None):
        h = F.relu(self.l1(features))
        h = F.relu(self.l2(h))
        logits = self.out(h)
        loss = F.cross_entropy(logits, labels) if labels is not None else None
        return {"loss": loss, "logits": logits}


def tiny_bert(num_labels=5, hidden=32, layers=2):
    cfg = BertConfig(vocab_size=100, hidden_size=hidden, num_hidden_layers=layers,
                     num_attention_heads=2, intermediate_size=2 * hidden,
                     max_position_embeddings=64, num_labels=num_labels)
    return BertForSequenceClassification(cfg)


# ----------------------------------------------------------------------------- ground truth
class TruthTrainer(Trainer):
    """Trainer that checks every computed training loss with math.isfinite."""

    truth_path = None
    truth = None
    first_bad_lr = None

    def training_step(self, model, inputs, num_items_in_batch=None):
        steps_per_epoch = len(self.get_train_dataloader())
        gstep = self.state.global_step + 1  # 1-based step being computed
        try:
            loss = super().training_step(model, inputs, num_items_in_batch)
        except Exception as e:  # record and re-raise: the crash belongs in the log
            if self.truth is None:
                self._write(gstep, steps_per_epoch, None, None, error=f"{type(e).__name__}: {e}")
            raise
        v = loss.detach().float().item()
        if self.truth is None and not math.isfinite(v):
            self._write(gstep, steps_per_epoch, "loss", v)
        lr = self.optimizer.param_groups[0]["lr"]
        if self.first_bad_lr is None and not math.isfinite(lr):
            self.first_bad_lr = {"global_step": gstep, "value": repr(lr)}
            if self.truth is not None:
                self.truth["first_nonfinite_lr"] = self.first_bad_lr
                self._dump()
        return loss

    def _write(self, gstep, steps_per_epoch, metric, value, error=None):
        eidx = (gstep - 1) // steps_per_epoch
        bie = (gstep - 1) % steps_per_epoch + 1
        self.truth = {
            "epoch": round(eidx + bie / steps_per_epoch, 6) if metric else None,
            "epoch_index": eidx + 1,
            "batch_in_epoch": bie if metric else None,
            "global_step": gstep if metric else None,
            "metric": metric,
            "value": repr(value) if value is not None else None,
            "steps_per_epoch": steps_per_epoch,
            "convention": "global_step = Trainer.state.global_step + 1 while the step is computed; "
                          "epoch = fractional epoch the Trainer logs after that step",
        }
        if error:
            self.truth["error"] = error
            self.truth["error_global_step"] = gstep
            self.truth["error_batch_in_epoch"] = bie
        if self.first_bad_lr is not None:
            self.truth["first_nonfinite_lr"] = self.first_bad_lr
        self._dump()

    def _dump(self):
        if self.truth_path:
            with open(self.truth_path, "w") as f:
                json.dump(self.truth, f, indent=1)


# ----------------------------------------------------------------------------- runs
def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--fault", required=True, choices=FAULTS)
    ap.add_argument("--label", required=True)
    ap.add_argument("--nofilter", action="store_true",
                    help="logging_nan_inf_filter=False (default True hides nan/inf losses)")
    ap.add_argument("--outdir", default="/tmp/hf_runs")
    # optional variation knobs (None = the fault's built-in default)
    ap.add_argument("--seed", type=int, default=0,
                    help="torch/Trainer seed; train data seed = SEED, eval data seed = SEED+1")
    ap.add_argument("--lr", type=float, default=None)
    ap.add_argument("--epochs", type=int, default=None)
    ap.add_argument("--batch-size", type=int, default=None)
    ap.add_argument("--logging-steps", type=int, default=None)
    ap.add_argument("--hidden", type=int, default=None, help="MLP width / BERT hidden_size")
    ap.add_argument("--depth", type=int, default=None, help="MLPRegressor depth / BERT layers")
    ap.add_argument("--dim", type=int, default=None, help="regression feature dimension")
    ap.add_argument("--n-train", type=int, default=None)
    ap.add_argument("--bad-step", type=int, default=None,
                    help="bad_input_data: 1-based global step holding the corrupt sample")
    ap.add_argument("--bad-value", choices=["nan", "inf"], default="nan")
    ap.add_argument("--bad-label-batch", type=int, default=None,
                    help="label_out_of_range: 1-based batch holding label 8000")
    ap.add_argument("--decay-steps", type=int, default=None,
                    help="invalid_learning_rate: steps after which sqrt(1-s/N) goes nan")
    ap.add_argument("--eval-steps", type=int, default=None)
    ap.add_argument("--save-steps", type=int, default=None,
                    help="save_strategy=steps with this interval (a save also happens at the end)")
    ap.add_argument("--max-grad-norm", type=float, default=None)
    ap.add_argument("--truth-dir", default=TRUTH_DIR)
    a = ap.parse_args()

    def o(name, default):
        v = getattr(a, name)
        return default if v is None else v

    seed = a.seed
    set_seed(seed)
    out = os.path.join(a.outdir, a.label)
    os.makedirs(a.truth_dir, exist_ok=True)
    truth_path = os.path.join(a.truth_dir, a.label + ".json")
    # a finite run keeps this sidecar (all null)
    with open(truth_path, "w") as f:
        json.dump({"epoch": None, "batch_in_epoch": None, "global_step": None,
                   "metric": None, "value": None}, f)

    common = dict(output_dir=out, report_to="none", use_cpu=True,
                  seed=seed, train_sampling_strategy="sequential", dataloader_num_workers=0,
                  logging_nan_inf_filter=not a.nofilter, save_strategy="no")
    optimizers = (None, None)
    f = a.fault

    if f == "healthy":
        ids, mask, y = token_data(o("n_train", 640), seed)
        eids, emask, ey = token_data(160, seed + 1)
        train = DictDataset(input_ids=ids, attention_mask=mask, labels=y)
        evald = DictDataset(input_ids=eids, attention_mask=emask, labels=ey)
        model = tiny_bert(hidden=o("hidden", 32), layers=o("depth", 2))
        args = TrainingArguments(**{**common, "save_strategy": "steps"},
                                 save_steps=o("save_steps", 160),
                                 num_train_epochs=o("epochs", 4),
                                 per_device_train_batch_size=o("batch_size", 16),
                                 per_device_eval_batch_size=32, learning_rate=o("lr", 3e-3),
                                 warmup_steps=10, logging_steps=o("logging_steps", 5),
                                 eval_strategy="epoch")
    elif f == "bad_input_data":
        x, y = float_class_data(o("n_train", 640), seed)
        bs = o("batch_size", 16)
        bad_step = o("bad_step", 23)  # 1-based global step holding the corrupt sample (no shuffle)
        x[(bad_step - 1) * bs + 5, 7] = float(a.bad_value)
        ex, ey = float_class_data(160, seed + 1)
        train = DictDataset(features=x, labels=y)
        evald = DictDataset(features=ex, labels=ey)
        model = MLPClassifier(hidden=o("hidden", 64))
        args = TrainingArguments(**{**common, "save_strategy": "steps"},
                                 save_steps=o("save_steps", 80),
                                 num_train_epochs=o("epochs", 2), per_device_train_batch_size=bs,
                                 per_device_eval_batch_size=32, learning_rate=o("lr", 3e-3),
                                 logging_steps=o("logging_steps", 5), eval_strategy="steps",
                                 eval_steps=o("eval_steps", 20))
    elif f == "exploding_gradients":
        dim = o("dim", 8)
        x, y = regression_data(o("n_train", 2048), seed, dim=dim)
        ex, ey = regression_data(256, seed + 1, dim=dim)
        train = DictDataset(features=x, labels=y)
        evald = DictDataset(features=ex, labels=ey)
        model = LinearRegressor(dim=dim)
        # plain SGD slightly above the stability limit of the quadratic loss, no clipping:
        # the error is multiplied by |1 - lr*lambda_max| > 1 every step -> geometric growth.
        args = TrainingArguments(**{**common, "save_strategy": "steps"},
                                 save_steps=o("save_steps", 192),
                                 num_train_epochs=o("epochs", 3),
                                 per_device_train_batch_size=o("batch_size", 32),
                                 per_device_eval_batch_size=64, optim="sgd",
                                 learning_rate=o("lr", 1.15),
                                 lr_scheduler_type="constant", weight_decay=0.0,
                                 max_grad_norm=o("max_grad_norm", 0.0),
                                 logging_steps=o("logging_steps", 4),
                                 eval_strategy="steps", eval_steps=o("eval_steps", 32))
    elif f == "learning_rate_too_high":
        x, y = regression_data(o("n_train", 640), seed)
        train = DictDataset(features=x, labels=y)
        evald = None
        model = MLPRegressor(hidden=o("hidden", 64), depth=o("depth", 5))
        # absurd learning rate for AdamW (default optimizer, default clipping 1.0)
        args = TrainingArguments(**common, num_train_epochs=o("epochs", 1),
                                 per_device_train_batch_size=o("batch_size", 16),
                                 learning_rate=o("lr", 100.0),
                                 max_grad_norm=o("max_grad_norm", 1.0),
                                 logging_steps=o("logging_steps", 1))
    elif f == "unstable_loss_function":
        x, y = float_class_data(o("n_train", 640), seed)
        train = DictDataset(features=x, labels=y)
        evald = None
        model = MLPClassifier(hidden=o("hidden", 64), loss="manual_bce")
        args = TrainingArguments(**common, num_train_epochs=o("epochs", 5),
                                 per_device_train_batch_size=o("batch_size", 16),
                                 learning_rate=o("lr", 1e-2),
                                 logging_steps=o("logging_steps", 2))
    elif f == "invalid_learning_rate":
        x, y = float_class_data(o("n_train", 640), seed)
        train = DictDataset(features=x, labels=y)
        evald = None
        model = MLPClassifier(hidden=o("hidden", 64))
        opt = torch.optim.AdamW(model.parameters(), lr=o("lr", 5e-3))
        # mis-set: the run is longer than decay_steps, so 1 - s/decay_steps < 0 afterwards
        decay_steps = o("decay_steps", 50)
        sched = torch.optim.lr_scheduler.LambdaLR(
            opt, lambda s: float(np.sqrt(1.0 - s / decay_steps)))
        optimizers = (opt, sched)
        args = TrainingArguments(**common, num_train_epochs=o("epochs", 2),
                                 per_device_train_batch_size=o("batch_size", 16),
                                 logging_steps=o("logging_steps", 2))
    elif f == "label_out_of_range":
        ids, mask, y = token_data(o("n_train", 640), seed)
        bs = o("batch_size", 16)
        # sample in batch BAD_LABEL_BATCH (default the 3rd): 5 classes, label 8000
        y[(o("bad_label_batch", 3) - 1) * bs + 3] = 8000
        train = DictDataset(input_ids=ids, attention_mask=mask, labels=y)
        evald = None
        model = tiny_bert(hidden=o("hidden", 32), layers=o("depth", 2))
        args = TrainingArguments(**common, num_train_epochs=o("epochs", 1),
                                 per_device_train_batch_size=bs,
                                 learning_rate=o("lr", 1e-3),
                                 logging_steps=o("logging_steps", 1))
    elif f == "mixed_precision_overflow":
        # NOT used by make_hf.sh: with use_cpu=True, accelerate 1.15 sets native_amp=False for
        # fp16 on a CPU device (no autocast, no GradScaler), so this run is silently plain fp32.
        x, y = float_class_data(640, 0)
        x = x * 300.0  # un-normalised features: activations beyond the fp16 max (65504)
        train = DictDataset(features=x, labels=y)
        evald = None
        model = ScaledMLP()
        args = TrainingArguments(**common, num_train_epochs=1, per_device_train_batch_size=16,
                                 learning_rate=1e-3, logging_steps=2, fp16=True)

    trainer = TruthTrainer(model=model, args=args, train_dataset=train, eval_dataset=evald,
                           optimizers=optimizers)
    trainer.truth_path = truth_path
    trainer.train()

if __name__ == "__main__":
    main()
