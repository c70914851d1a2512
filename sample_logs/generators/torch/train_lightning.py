"""Tiny Lightning runs with an injected fault, for nanlog's sample-log corpus.

The console output is Lightning's own (TQDM or Rich progress bar); this script never prints
metric lines itself. Ground truth (first non-finite training loss / lr) is recorded by a
Callback from the values computed during training and written as a JSON sidecar.

Usage: python train_lightning.py --fault FAULT --truth PATH.json [--bar tqdm|rich]
       [--detect-anomaly] [--csv-copy DEST_metrics.csv] [--workdir DIR]
"""
import argparse
import json
import math
import os
import shutil
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

import lightning as L
from lightning.pytorch.callbacks import Callback, LearningRateMonitor, RichProgressBar
from lightning.pytorch.loggers import CSVLogger

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from torch_common import FAULTS, HP0, add_holdout_args, data_kwargs, hp_kwargs, make_data, mlp, scaler_kwargs  # noqa: E402,E501



# ----------------------------------------------------------------------------- model
class Net(L.LightningModule):
    def __init__(self, fault, task, dim=20, hp=HP0):
        super().__init__()
        self.fault = fault
        self.task, self.hp = task, hp   # hp: holdout width/depth/lr/decay_steps (defaults = original)
        if task == "regression":
            self.net = nn.Sequential(nn.Linear(dim, 1))
        elif task == "big_regression":
            self.net = mlp(dim, 1, hp)
        elif task == "binary":
            self.net = mlp(dim, 1, hp)
        else:
            self.net = mlp(dim, 5, hp)

    def forward(self, x):
        return self.net(x)

    def compute_loss(self, out, y):
        if self.task in ("regression", "big_regression"):
            return F.mse_loss(out.float(), y)
        if self.task == "binary":
            # hand-written binary cross-entropy (no clamping / no logits form)
            p = torch.sigmoid(out)
            return -(y * torch.log(p) + (1 - y) * torch.log(1 - p)).mean()
        return F.cross_entropy(out, y)

    def training_step(self, batch, batch_idx):
        x, y = batch
        loss = self.compute_loss(self(x), y)
        # kept for the ground truth in case backward raises before on_train_batch_end (detect_anomaly)
        self.last_train_loss = float(loss.detach())
        self.log("train_loss", loss, prog_bar=True, on_step=True, on_epoch=True)
        if self.fault == "invalid_learning_rate":
            self.log("lr", self.optimizers().param_groups[0]["lr"], prog_bar=True, on_step=True, on_epoch=False)
        return loss

    def validation_step(self, batch, batch_idx):
        x, y = batch
        loss = self.compute_loss(self(x), y)
        self.log("val_loss", loss, prog_bar=True, on_step=False, on_epoch=True)

    def configure_optimizers(self):
        f, lr = self.fault, self.hp["lr"]   # hp["lr"] (holdout --lr) overrides the fault's learning rate
        if f == "exploding_gradients":
            return torch.optim.SGD(self.parameters(), lr=lr or 1.1)
        if f == "mixed_precision_overflow":
            return torch.optim.Adam(self.parameters(), lr=lr or 1.0)
        if f == "learning_rate_too_high":
            return torch.optim.SGD(self.parameters(), lr=lr or 1000.0)
        if f == "unstable_loss_function":
            return torch.optim.Adam(self.parameters(), lr=lr or 0.01)
        if f == "invalid_learning_rate":
            opt = torch.optim.SGD(self.parameters(), lr=lr or 0.05, momentum=0.9)
            decay_steps = self.hp["decay_steps"]  # misconfigured: shorter than the run (default 30 of 60 steps)

            def poly(step):
                # polynomial decay, power 0.5; numpy returns nan once (1 - step/decay_steps) < 0
                return float(np.power(1.0 - step / decay_steps, 0.5))

            sched = torch.optim.lr_scheduler.LambdaLR(opt, poly)
            return {"optimizer": opt, "lr_scheduler": {"scheduler": sched, "interval": "step"}}
        return torch.optim.Adam(self.parameters(), lr=lr or 1e-2)


EPOCHS = {
    "healthy": 4, "bad_input_data": 3, "exploding_gradients": 5, "learning_rate_too_high": 2,
    "unstable_loss_function": 6, "label_out_of_range": 2, "invalid_learning_rate": 3,
    "mixed_precision_overflow": 4,
}


# ----------------------------------------------------------------------------- truth
class Truth(Callback):
    """Records the first non-finite training loss (outputs['loss']) or lr, from inside training."""

    def __init__(self, path):
        self.path = path
        self.gstep = 0
        self.first = None
        self.first_loss = None
        self.exception = None
        self.lr_now = None

    def _rec(self, trainer, batch_idx, metric, v):
        return {"epoch": trainer.current_epoch, "batch_in_epoch": batch_idx + 1,
                "global_step": self.gstep, "metric": metric, "value": repr(v),
                "epoch_numbering": "0-based (Lightning prints 'Epoch 0:')",
                "trainer_global_step": trainer.global_step}

    def on_train_batch_start(self, trainer, pl_module, batch, batch_idx):
        self.gstep += 1
        self.batch_idx = batch_idx
        # lr that this step uses (what self.log('lr') / LearningRateMonitor show for this step)
        lr = trainer.optimizers[0].param_groups[0]["lr"]
        if self.first is None and not math.isfinite(float(lr)):
            self.first = self._rec(trainer, batch_idx, "lr", float(lr))

    def on_train_batch_end(self, trainer, pl_module, outputs, batch, batch_idx):
        loss = outputs["loss"] if isinstance(outputs, dict) else outputs
        v = float(loss.detach())
        if self.first_loss is None and not math.isfinite(v):
            self.first_loss = self._rec(trainer, batch_idx, "train_loss", v)
            if self.first is None:
                self.first = self.first_loss

    def on_exception(self, trainer, pl_module, exception):
        v = getattr(pl_module, "last_train_loss", None)
        if self.first_loss is None and v is not None and not math.isfinite(v):
            # the loss computed in training_step of the failing batch (no on_train_batch_end ran)
            self.first_loss = self._rec(trainer, self.batch_idx, "train_loss", v)
            self.first_loss["source"] = "training_step (exception raised before on_train_batch_end)"
            if self.first is None:
                self.first = self.first_loss
        self.exception = {"type": type(exception).__name__, "message": str(exception)[:300],
                          "epoch": trainer.current_epoch, "global_step": self.gstep,
                          "batch_in_epoch": getattr(self, "batch_idx", -1) + 1}
        self.write()

    def write(self):
        out = dict(self.first) if self.first else {"epoch": None, "batch_in_epoch": None,
                                                   "global_step": None, "metric": None, "value": None}
        if self.first_loss and self.first_loss is not self.first:
            out["first_nonfinite_train_loss"] = self.first_loss
        if self.exception:
            out["exception"] = self.exception
        os.makedirs(os.path.dirname(self.path), exist_ok=True)
        with open(self.path, "w") as fh:
            json.dump(out, fh, indent=1)

    def on_fit_end(self, trainer, pl_module):
        self.write()


def main():
    ap = add_holdout_args(argparse.ArgumentParser(), lightning=True)
    ap.add_argument("--fault", choices=FAULTS, required=True)
    ap.add_argument("--truth", required=True)
    ap.add_argument("--bar", choices=["tqdm", "rich"], default="tqdm")
    ap.add_argument("--detect-anomaly", action="store_true")
    ap.add_argument("--csv-copy", default=None)
    ap.add_argument("--workdir", default="/tmp/nanlog_torch_work")
    args = ap.parse_args()

    L.seed_everything(args.seed)
    rng = np.random.default_rng(args.seed)
    xt, yt, xv, yv, task = make_data(args.fault, rng, **data_kwargs(args))
    train = DataLoader(TensorDataset(torch.from_numpy(xt), torch.from_numpy(yt)), batch_size=args.batch,
                       shuffle=False, num_workers=0)
    val = DataLoader(TensorDataset(torch.from_numpy(xv), torch.from_numpy(yv)), batch_size=args.batch,
                     shuffle=False, num_workers=0)
    model = Net(args.fault, task, dim=xt.shape[1], hp=hp_kwargs(args))

    run = os.path.splitext(os.path.basename(args.truth))[0]
    workdir = os.path.join(args.workdir, run)
    shutil.rmtree(workdir, ignore_errors=True)
    csv_logger = CSVLogger(save_dir=workdir, name="csv")
    truth = Truth(args.truth)
    interval = "step" if args.fault == "invalid_learning_rate" else None
    callbacks = [truth, LearningRateMonitor(logging_interval=interval)]
    if args.bar == "rich":
        # rich is importable only in the rich runs (make_torch.sh puts it on PYTHONPATH)
        callbacks.append(RichProgressBar())
    # else: Lightning's default progress bar, which is TQDMProgressBar when rich is not installed
    kwargs = {}
    if args.fault == "mixed_precision_overflow" or args.fp16:
        # Trainer(precision='16-mixed') on CPU is silently turned into bf16-mixed by Lightning,
        # so pass the fp16 MixedPrecision plugin (with a CPU GradScaler) explicitly.
        from lightning.pytorch.plugins.precision import MixedPrecision
        kwargs["plugins"] = [MixedPrecision(precision="16-mixed", device="cpu",
                                            scaler=torch.amp.GradScaler("cpu", **scaler_kwargs(args)))]
    trainer = L.Trainer(
        accelerator="cpu", devices=1, max_epochs=args.epochs or EPOCHS[args.fault], logger=csv_logger,
        callbacks=callbacks, log_every_n_steps=1, enable_checkpointing=False,
        default_root_dir=workdir, detect_anomaly=args.detect_anomaly, deterministic=True,
        **kwargs,
    )
    try:
        trainer.fit(model, train, val)
    finally:
        truth.write()
        if args.csv_copy:
            src = os.path.join(csv_logger.log_dir, "metrics.csv")
            if os.path.exists(src):
                shutil.copyfile(src, args.csv_copy)


if __name__ == "__main__":
    main()
