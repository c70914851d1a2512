"""Plain PyTorch training loops (no framework logger) with an injected fault.

These are the hand-written loops people write: print() lines, python logging lines, Chinese
print lines, tqdm postfix, an fp16 autocast + GradScaler loop. The loop itself checks
math.isfinite on the loss / lr it just computed and writes the ground truth JSON sidecar.

Usage: python train_plain.py --style print|logging|chinese|tqdm|anomaly|fp16 --fault FAULT --truth PATH.json
"""
import argparse
import json
import logging
import math
import os
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from torch_common import HP0, PLAIN_FAULTS, acc_suffix, add_holdout_args, batch_acc, data_kwargs, hp_kwargs, make_data, mlp, probs_cross_entropy, scaler_kwargs  # noqa: E402,E501

EPOCHS = {
    "healthy": 4, "bad_input_data": 3, "exploding_gradients": 5, "learning_rate_too_high": 2,
    "unstable_loss_function": 6, "label_out_of_range": 2, "invalid_learning_rate": 3,
    "mixed_precision_overflow": 4,
}


def build(fault, task, dim, hp=HP0):
    if task == "regression":
        model = nn.Sequential(nn.Linear(dim, 1))
    elif task in ("big_regression", "binary"):
        model = mlp(dim, 1, hp)
    else:
        model = mlp(dim, 5, hp, relu_out=(fault == "wrong_output_activation"))
    sched, lr = None, hp["lr"]   # hp["lr"] (holdout --lr) overrides the fault's learning rate
    if fault == "exploding_gradients":
        opt = torch.optim.SGD(model.parameters(), lr=lr or 1.1)
    elif fault == "mixed_precision_overflow":
        opt = torch.optim.Adam(model.parameters(), lr=lr or 1.0)
    elif fault == "learning_rate_too_high":
        opt = torch.optim.SGD(model.parameters(), lr=lr or 1000.0)
    elif fault == "unstable_loss_function":
        opt = torch.optim.Adam(model.parameters(), lr=lr or 0.01)
    elif fault == "invalid_learning_rate":
        opt = torch.optim.SGD(model.parameters(), lr=lr or 0.05, momentum=0.9)
        decay_steps = hp["decay_steps"]  # misconfigured: shorter than the run (default 30 of 60 steps)

        def poly(step):
            # polynomial decay, power 0.5; numpy gives nan once (1 - step/decay_steps) < 0
            return float(np.power(1.0 - step / decay_steps, 0.5))

        sched = torch.optim.lr_scheduler.LambdaLR(opt, poly)
    else:
        opt = torch.optim.Adam(model.parameters(), lr=lr or 1e-2)
    return model, opt, sched


def loss_fn(task, out, y):
    if task in ("regression", "big_regression", "probs"):
        return F.mse_loss(out.float(), y) if task != "probs" else probs_cross_entropy(out, y)
    if task == "binary":
        # hand-written binary cross-entropy on probabilities (no clamp, no logits form)
        p = torch.sigmoid(out)
        return -(y * torch.log(p) + (1 - y) * torch.log(1 - p)).mean()
    return F.cross_entropy(out, y)


class Truth:
    def __init__(self, path, epoch_note):
        self.path, self.first, self.first_loss, self.exception = path, None, None, None
        self.epoch_note = epoch_note

    def check(self, metric, value, epoch, batch, gstep):
        if math.isfinite(value):
            return
        rec = {"epoch": epoch, "batch_in_epoch": batch, "global_step": gstep, "metric": metric,
               "value": repr(float(value)), "epoch_numbering": self.epoch_note}
        if metric == "loss" and self.first_loss is None:
            self.first_loss = rec
        if self.first is None:
            self.first = rec

    def write(self):
        out = dict(self.first) if self.first else {"epoch": None, "batch_in_epoch": None,
                                                   "global_step": None, "metric": None, "value": None}
        if self.first_loss and self.first_loss is not self.first:
            out["first_nonfinite_loss"] = self.first_loss
        if self.exception:
            out["exception"] = self.exception
        os.makedirs(os.path.dirname(self.path), exist_ok=True)
        with open(self.path, "w") as fh:
            json.dump(out, fh, indent=1)


def main():
    ap = add_holdout_args(argparse.ArgumentParser())
    ap.add_argument("--style", choices=["print", "logging", "chinese", "tqdm", "anomaly", "fp16"],
                    required=True)
    ap.add_argument("--fault", choices=PLAIN_FAULTS, required=True)
    ap.add_argument("--truth", required=True)
    args = ap.parse_args()
    style, fault = args.style, args.fault

    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)
    xt, yt, _, _, task = make_data(fault, rng, **data_kwargs(args))
    train = DataLoader(TensorDataset(torch.from_numpy(xt), torch.from_numpy(yt)), batch_size=args.batch,
                       shuffle=False, num_workers=0)
    model, opt, sched = build(fault, task, xt.shape[1], hp_kwargs(args))
    epochs = args.epochs or EPOCHS.get(fault, 4)
    truth = Truth(args.truth, "1-based, as printed by the loop")
    show_acc = args.acc and task in ("multiclass", "probs")
    log = None
    if style == "logging":
        logging.basicConfig(level=logging.INFO,
                            format="%(asctime)s %(levelname)s %(name)s: %(message)s")
        log = logging.getLogger("train")
        log.info("model=%s params=%d", model.__class__.__name__,
                 sum(p.numel() for p in model.parameters()))
    if style == "anomaly":
        torch.autograd.set_detect_anomaly(True)
    scaler = None
    if style == "fp16":
        scaler = torch.amp.GradScaler("cpu", **scaler_kwargs(args))
    if style == "tqdm":
        from tqdm import tqdm

    gstep = 0
    e = b = 0
    try:
        for e in range(1, epochs + 1):
            if log:
                log.info("epoch %d/%d", e, epochs)
            it = train
            if style == "tqdm":
                it = pbar = tqdm(train, desc=f"Epoch {e}/{epochs}")
            for b, (xb, yb) in enumerate(it, start=1):
                gstep += 1
                lr = opt.param_groups[0]["lr"]          # lr used by this step
                truth.check("lr", float(lr), e, b, gstep)
                opt.zero_grad()
                if style == "fp16":
                    with torch.autocast("cpu", dtype=torch.float16):
                        out = model(xb)
                        loss = loss_fn(task, out, yb)
                else:
                    out = model(xb)
                    loss = loss_fn(task, out, yb)
                lv = loss.item()
                truth.check("loss", lv, e, b, gstep)
                if scaler is not None:
                    scaler.scale(loss).backward()
                    scaler.step(opt)
                    scaler.update()
                else:
                    loss.backward()
                    grad_norm = torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm=float("inf"))
                    opt.step()
                if sched is not None:
                    sched.step()
                acc_s = acc_suffix(style, out, yb) if show_acc else ""
                if style in ("print", "anomaly"):
                    print(f"epoch {e} step {gstep} loss {loss.item():.4f} lr {lr}{acc_s}")
                elif style == "chinese":
                    print(f"第{e}轮 步数 {gstep} 损失: {loss.item():.4f} 学习率: {lr}{acc_s}")
                elif style == "logging":
                    log.info("iter=%d, loss=%.4f, grad_norm=%.4f%s", gstep, loss.item(), grad_norm.item(), acc_s)
                elif style == "tqdm":
                    pbar.set_postfix(loss=loss.item(), **({"acc": batch_acc(out, yb)} if show_acc else {}))
                    # a real model takes a while per step; without this the tiny loop finishes an
                    # epoch inside tqdm's mininterval (0.1 s) and the n/total counter never moves
                    time.sleep(0.11)
                elif style == "fp16":
                    print(f"epoch {e} step {gstep} loss {loss.item():.4f} scale {scaler.get_scale()}{acc_s}")
    except Exception as exc:  # record, then let it crash as usual
        truth.exception = {"type": type(exc).__name__, "message": str(exc)[:300], "epoch": e,
                           "batch_in_epoch": b, "global_step": gstep}
        truth.write()
        raise
    truth.write()
    if log:
        log.info("training finished after %d steps", gstep)
    else:
        print("done")


if __name__ == "__main__":
    main()
