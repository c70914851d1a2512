"""Training-log line shapes from real trainers, for the format tests.

Each case was copied from, or built from the format string of, the place named in ``seen``.
Hand-written test data: the trainers' own output is the final word.
"""

from __future__ import annotations

from dataclasses import dataclass, field

NAN = float("nan")
INF = float("inf")


@dataclass(frozen=True)
class Case:
    trainer: str  # short id: detectron2, mmcv, fairseq, ...
    seen: str  # URL or repo path (+ format string) where this shape was seen
    text: str  # one or more lines exactly as printed (use \n between lines; tables need header + rows)
    metrics: dict[str, float] = field(
        default_factory=dict
    )  # canonical metric -> value the reader must find (last row's value when several lines)
    step: int | None = (
        None  # global step / iteration as printed on the (last) line, None = not checked
    )
    epoch: int | None = None  # epoch as printed on the (last) line, None = not checked
    absent: tuple[
        str, ...
    ] = ()  # canonical names that must NOT be read as metrics (e.g. "time", "eta", "memory")
    event: str | None = None  # kind of failure message the line is (see below), None if none


CASES: tuple[Case, ...] = (
    # ---------------------------------------------------------------- detectron2
    Case(
        trainer="detectron2",
        seen="https://github.com/facebookresearch/detectron2/issues/214",
        text="[11/01 20:14:43 d2.utils.events]: eta: 5:43:31  iter: 499  total_loss: 1.733  loss_cls: 1.224  loss_box_reg: 0.488  time: 0.2298  data_time: 0.0032  lr: 0.004995  max_mem: 3782M",
        metrics={"loss": 1.733, "lr": 0.004995},
        step=499,
        absent=("time", "eta", "data_time", "max_mem"),
    ),
    Case(
        trainer="detectron2",
        seen="https://github.com/facebookresearch/detectron2/issues/1134",
        text="[04/01 17:31:16 d2.utils.events]:  eta: 2 days, 12:26:52  iter: 399  total_loss: 3.233  loss_cls: 1.428  loss_box_reg: 0.600  loss_mask: 1.192  time: 0.4095  data_time: 0.0023  lr: 0.007992  max_mem: 4237M",
        metrics={"loss": 3.233, "lr": 0.007992},
        step=399,
        absent=("time", "eta", "data_time", "max_mem"),
    ),
    Case(
        trainer="detectron2",
        seen="https://github.com/facebookresearch/detectron2/issues/838 (train_loop._detect_anomaly)",
        text="FloatingPointError: Loss became infinite or NaN at iteration=2137!",
        event="nonfinite_check",
    ),
    # ---------------------------------------------------------------- mmcv / mmdet 1.x
    Case(
        trainer="mmcv",
        seen="https://github.com/open-mmlab/mmdetection/issues/5911 (mmcv TextLoggerHook 'Epoch [{}][{}/{}]\\tlr: ...')",
        text="2021-08-18 19:36:36,093 - mmdet - INFO - Epoch [1][100/5808]\tlr: 1.000e-02, eta: 4:49:14, time: 0.717, data_time: 0.020, memory: 8104, loss_rpn_cls: 0.3281, loss_rpn_bbox: 0.1095, loss_cls: 0.4124, acc: 93.2749, loss_bbox: 0.1914, loss: 1.0415",
        metrics={"loss": 1.0415, "lr": 0.01},
        epoch=1,
        absent=("time", "eta", "memory", "data_time"),
    ),
    Case(
        trainer="mmcv",
        seen="https://github.com/open-mmlab/mmdetection/issues/5911 (markdown bold markers removed)",
        text="2021-08-18 19:37:12,902 - mmdet - INFO - Epoch [1][150/5808]\tlr: 1.000e-02, eta: 4:46:48, time: 0.736, data_time: 0.020, memory: 8104, loss_rpn_cls: 0.3319, loss_rpn_bbox: 0.1191, loss_cls: 0.4035, acc: 92.7739, loss_bbox: nan, loss: nan",
        metrics={"loss": NAN, "lr": 0.01},
        epoch=1,
        absent=("time", "eta", "memory"),
    ),
    Case(
        trainer="mmcv",
        seen="https://github.com/open-mmlab/mmdetection/issues/3446",
        text="2020-08-01 01:10:31,475 - mmdet - INFO - Epoch [3][50/1749]\tlr: 2.000e-02, eta: 0:52:33, time: 1.899, data_time: 0.046, memory: 5280, loss_rpn_cls: 0.2532, loss_rpn_bbox: 0.0409, s0.loss_cls: 0.2136, s0.acc: 94.4818, s0.loss_bbox: 0.0862, s1.loss_cls: 0.0732, s1.acc: 96.6602, s1.loss_bbox: 0.0330, s2.loss_cls: 0.0273, s2.acc: 97.7070, s2.loss_bbox: 0.0065, loss: 0.7339, grad_norm: 0.0668",
        metrics={"loss": 0.7339, "lr": 0.02, "grad_norm": 0.0668},
        epoch=3,
        absent=("time", "eta", "memory"),
    ),
    # ---------------------------------------------------------------- mmengine
    Case(
        trainer="mmengine",
        seen="https://github.com/open-mmlab/mmdetection/issues/11893",
        text="08/03 22:09:24 - mmengine - INFO - Epoch(train)  [1][ 500/2931]  lr: 2.0000e-02  eta: 0:39:15  time: 0.0578  data_time: 0.0017  memory: 2389  loss: nan  loss_rpn_cls: nan  loss_rpn_bbox: nan  loss_cls: nan  acc: 0.0000  loss_bbox: nan",
        metrics={"loss": NAN, "lr": 0.02},
        epoch=1,
        absent=("time", "eta", "memory", "data_time"),
    ),
    Case(
        trainer="mmengine",
        seen="https://github.com/open-mmlab/mmpretrain/issues/1632 (as pasted, separators collapsed)",
        text="2023/06/09 22:04:50 - mmengine - INFO - Epoch(train) [148][300/351] lr: 2.3718e-03 eta: 5 days, 23:49:40 time: 0.9822 data_time: 0.0020 memory: 48596 loss: 0.4674",
        metrics={"loss": 0.4674, "lr": 0.0023718},
        epoch=148,
        absent=("time", "eta", "memory"),
    ),
    # ---------------------------------------------------------------- YOLOv5 / ultralytics
    Case(
        trainer="yolov5",
        seen="https://github.com/ultralytics/yolov5/issues/4963",
        text=(
            "     Epoch   gpu_mem       box       obj       cls    labels  img_size\n"
            "      1/99     2.64G         nan       nan       nan         4       416: 100%|██████████| 7/7 [00:15<00:00,  2.27s/it]"
        ),
        epoch=1,
        absent=("gpu_mem",),
    ),
    Case(
        trainer="yolov5",
        seen="yolov5 utils/loggers/__init__.py on_fit_epoch_end: '%20s,' header and '%20.5g,' rows (numbers made up)",
        text=(
            "               epoch,      train/box_loss,      train/obj_loss,      train/cls_loss,   metrics/precision,      metrics/recall,     metrics/mAP_0.5,metrics/mAP_0.5:0.95,        val/box_loss,        val/obj_loss,        val/cls_loss,               x/lr0,               x/lr1,               x/lr2\n"
            "                  26,            0.041234,            0.021345,           0.0061234,             0.71234,             0.65432,             0.70123,             0.45123,            0.038123,            0.019876,           0.0051234,           0.0091089,           0.0091089,           0.0091089\n"
            "                  27,                 nan,                 nan,                 nan,                   0,                   0,                   0,                   0,                 nan,                 nan,                 nan,           0.0090753,           0.0090753,           0.0090753"
        ),
        epoch=27,
    ),
    Case(
        trainer="ultralytics",
        seen="https://github.com/ultralytics/ultralytics/issues/19357",
        text=(
            "      Epoch    GPU_mem   box_loss   cls_loss   dfl_loss  Instances       Size\n"
            "     91/300        17G        nan        nan        nan          2        640: 100%|██████████| 278/278 [02:11<00:00,  2.11it/s]"
        ),
        epoch=91,
        absent=("gpu_mem",),
    ),
    # ---------------------------------------------------------------- yolact
    Case(
        trainer="yolact",
        seen="https://github.com/dbolya/yolact/issues/318",
        text="[  0]     530 || B: 3.233 | C: 2.508 | M: 4.462 | S: 0.910 | T: 11.113 || ETA: 1 day, 17:55:18 || timer: 1.783",
        metrics={"loss": 11.113},
        step=530,
        epoch=0,
        absent=("eta", "time"),
    ),
    Case(
        trainer="yolact",
        seen="https://github.com/dbolya/yolact/issues/164",
        text="[ 17]   13050 || B: 4.306 | C: 2.458 | M: 4.562 | S: 0.264 | T: 11.590 || ETA: 3 days, 6:48:10 || timer: 0.358",
        metrics={"loss": 11.59},
        step=13050,
        epoch=17,
        absent=("eta", "time"),
    ),
    Case(
        trainer="yolact",
        seen="yolact utils/functions.py MovingAverage.add: print('Warning: Moving average ignored a value of %f' % elem); https://github.com/dbolya/yolact/issues/528",
        text="Warning: Moving average ignored a value of inf",
        event="nonfinite_check",
    ),
    # ---------------------------------------------------------------- darknet
    Case(
        trainer="darknet",
        seen="https://github.com/AlexeyAB/darknet/issues/786",
        text=" 2267: nan, nan avg, 0.001000 rate, 3.430528 seconds, 145088 images",
        metrics={"loss": NAN, "lr": 0.001},
        step=2267,
        absent=("time",),
    ),
    Case(
        trainer="darknet",
        seen="https://github.com/AlexeyAB/darknet/issues/786 (per-[yolo]-layer line, -nan here is normal)",
        text="Region 82 Avg IOU: -nan, Class: -nan, Obj: -nan, No Obj: 0.000927, .5R: -nan, .75R: -nan,  count: 0",
        absent=("loss",),
    ),
    # ---------------------------------------------------------------- fairseq
    Case(
        trainer="fairseq",
        seen="https://github.com/facebookresearch/fairseq/issues/2404 (simple progress bar, train_inner)",
        text="2020-08-01 12:39:39 | INFO | train_inner | epoch 001:   3615 / 6547 loss=0.439, nll_loss=0.001, accuracy=87.9, wps=82565, ups=2.66, wpb=31075.5, bsz=64, num_updates=3600, lr=9e-06, gnorm=3.952, loss_scale=1399, train_wall=38, wall=1353",
        metrics={
            "loss": 0.439,
            "lr": 9e-06,
            "grad_norm": 3.952,
            "loss_scale": 1399.0,
            "accuracy": 87.9,
        },
        step=3600,
        epoch=1,
        absent=("wps", "ups", "wall"),
    ),
    Case(
        trainer="fairseq",
        seen="https://github.com/facebookresearch/fairseq/issues/515 (old '| epoch 001:' simple format)",
        text="| epoch 001:    400 / 1374 loss=13.137, ppl=9007.95, wps=52932, ups=0, wpb=277361.147, bsz=8693.717, num_updates=389, lr=9.81528e-06, gnorm=2.587, clip=0.000, oom=0.000, loss_scale=0.031, wall=2038, train_wall=1880",
        metrics={
            "loss": 13.137,
            "perplexity": 9007.95,
            "lr": 9.81528e-06,
            "grad_norm": 2.587,
            "loss_scale": 0.031,
        },
        step=389,
        epoch=1,
        absent=("wps", "wall"),
    ),
    Case(
        trainer="fairseq",
        seen="https://github.com/facebookresearch/fairseq/issues/506 (epoch summary)",
        text="| epoch 022 | loss 3.882 | nll_loss 2.204 | ppl 4.61 | wps 402818 | ups 0.6 | wpb 606079 | bsz 20493 | num_updates 5586 | lr 0.000846213 | gnorm 0.309 | clip 0% | oom 0 | loss_scale 1.000 | wall 8409 | train_wall 8021",
        metrics={
            "loss": 3.882,
            "perplexity": 4.61,
            "lr": 0.000846213,
            "grad_norm": 0.309,
            "loss_scale": 1.0,
        },
        step=5586,
        epoch=22,
        absent=("wps", "wall"),
    ),
    Case(
        trainer="fairseq",
        seen="https://github.com/facebookresearch/fairseq/issues/506 (valid summary)",
        text="| epoch 022 | valid on 'valid' subset | valid_loss 4.28149 | valid_nll_loss 2.54953 | valid_ppl 5.85 | num_updates 5586 | best 4.28149",
        metrics={"val_loss": 4.28149},
        step=5586,
        epoch=22,
    ),
    Case(
        trainer="fairseq",
        seen="https://github.com/facebookresearch/fairseq/issues/2404 (fairseq.trainer)",
        text="2020-08-01 12:39:16 | INFO | fairseq.trainer | NOTE: overflow detected, setting loss scale to: 1024.0",
        event="overflow",
    ),
    Case(
        trainer="fairseq",
        seen="https://github.com/facebookresearch/fairseq/issues/512 (old format)",
        text="| WARNING: overflow detected, setting loss scale to: 0.0001220703125",
        event="overflow",
    ),
    Case(
        trainer="fairseq",
        seen="https://github.com/bert-nmt/bert-nmt/issues/47 (fairseq DynamicLossScaler)",
        text="FloatingPointError: Minimum loss scale reached (0.0001). Your loss is probably exploding. Try lowering the learning rate, using gradient clipping or increasing the batch size.",
        event="loss_scale_min",
    ),
    # ---------------------------------------------------------------- apex amp
    Case(
        trainer="apex",
        seen="https://github.com/whai362/PVT/issues/94",
        text="Gradient overflow.  Skipping step, loss scaler 0 reducing loss scale to 0.03125",
        event="overflow",
    ),
    # ---------------------------------------------------------------- DeepSpeed
    Case(
        trainer="deepspeed",
        seen="https://github.com/deepspeedai/DeepSpeed/issues/5779",
        text="[2024-07-17 19:44:06,945] [INFO] [loss_scaler.py:183:update_scale] [deepspeed] OVERFLOW! Rank 0 Skipping step. Attempted loss scale: 65536, reducing to 32768",
        event="overflow",
    ),
    Case(
        trainer="deepspeed",
        seen="https://github.com/deepspeedai/DeepSpeed/issues/931 (hysteresis variant)",
        text="[2023-04-28 06:51:29,903] [INFO] [loss_scaler.py:188:update_scale] [deepspeed] OVERFLOW! Rank 0 Skipping step. Attempted loss scale: 65536, but hysteresis is 2. Reducing hysteresis to 1",
        event="overflow",
    ),
    Case(
        trainer="deepspeed",
        seen="https://github.com/huggingface/transformers/issues/9996 (old ZeRO-2 '[deepscale]' spelling)",
        text="[2021-02-04 15:06:19,825] [INFO] [stage2.py:1357:step] [deepscale] OVERFLOW! Rank 0 Skipping step. Attempted loss scale: 134217728.0, reducing to 67108864.0",
        event="overflow",
    ),
    Case(
        trainer="deepspeed",
        seen="https://github.com/ymcui/Chinese-LLaMA-Alpaca/issues/534 (glued to a tqdm bar)",
        text=" 14%|█▍        | 379/2724 [14:00:21<86:09:52, 132.28s/it][2023-06-07 22:18:11,762] [INFO] [loss_scaler.py:181:update_scale] [deepspeed] OVERFLOW! Rank 0 Skipping step. Attempted loss scale: 32, reducing to 16",
        event="overflow",
    ),
    Case(
        trainer="deepspeed",
        seen="https://github.com/yangjianxin1/Firefly/issues/68",
        text="Exception: Current loss scale already at minimum - cannot decrease scale anymore. Exiting run.",
        event="loss_scale_min",
    ),
    Case(
        trainer="deepspeed",
        seen="https://github.com/EleutherAI/gpt-neox/issues/947 (engine._report_progress 'step={}, skipped={}, lr={}, mom={}')",
        text="[2023-05-22 21:15:09,288] [INFO] [logging.py:96:log_dist] [Rank 0] step=2, skipped=0, lr=[2.4242424242424244e-09, 2.4242424242424244e-09], mom=[[0.9, 0.95], [0.9, 0.95]]",
        metrics={"lr": 2.4242424242424244e-09},
        step=2,
    ),
    # ---------------------------------------------------------------- Megatron-LM / gpt-neox
    Case(
        trainer="megatron",
        seen="https://github.com/epfLLM/Megatron-LLM/issues/11 (Megatron training_log)",
        text=" iteration      125/  250000 | consumed samples:       128000 | elapsed time per iteration (ms): 89075.2 | learning rate: 9.375E-06 | global batch size:  1024 | lm loss: 2.477393E+00 | loss scale: 1.0 | grad norm: 0.356 | number of skipped iterations:   0 | number of nan iterations:   0 |",
        metrics={"loss": 2.477393, "lr": 9.375e-06, "loss_scale": 1.0, "grad_norm": 0.356},
        step=125,
        absent=("time",),
    ),
    Case(
        trainer="megatron",
        seen="https://github.com/NVIDIA/nccl/issues/743 (Megatron-LM pretrain_bert, fp16 warm-up: no loss yet)",
        text=" iteration       10/ 1000000 | consumed samples:           40 | elapsed time per iteration (ms): 356.2 | learning rate: 0.000E+00 | global batch size:     4 | loss scale: 8388608.0 | number of skipped iterations:  10 | number of nan iterations:   0 |",
        metrics={"lr": 0.0, "loss_scale": 8388608.0},
        step=10,
        absent=("loss", "grad_norm"),
    ),
    Case(
        trainer="megatron",
        seen="https://github.com/NVIDIA/nccl/issues/743",
        text=" iteration       20/ 1000000 | consumed samples:           80 | elapsed time per iteration (ms): 140.6 | learning rate: 2.020E-08 | global batch size:     4 | lm loss: 1.005022E+01 | sop loss: 8.174902E-01 | loss scale: 32768.0 | grad norm: 217.199 | number of skipped iterations:   0 | number of nan iterations:   0 |",
        metrics={"loss": 10.05022, "lr": 2.02e-08, "loss_scale": 32768.0, "grad_norm": 217.199},
        step=20,
    ),
    Case(
        trainer="gpt-neox",
        seen="https://github.com/EleutherAI/gpt-neox/issues/947",
        text=" samples/sec: 2.721 | iteration        2/   55000 | elapsed time per iteration (ms): 11761.2 | learning rate: 2.424E-09 | approx flops per GPU: 9.1TFLOPS | lm_loss: 1.105449E+01 | number of skipped iterations:   0 | number of nan iterations:   0 |",
        metrics={"loss": 11.05449, "lr": 2.424e-09},
        step=2,
    ),
    # ---------------------------------------------------------------- ESPnet
    Case(
        trainer="espnet",
        seen="https://github.com/espnet/espnet/issues/3170 (espnet2 trainer)",
        text="[user] 2021-04-23 19:22:52,420 (trainer:581) WARNING: The grad norm is nan. Skipping updating the model.",
        event="nonfinite_check",
    ),
    Case(
        trainer="espnet",
        seen="https://github.com/espnet/espnet/issues/2771 (espnet1 asr.py)",
        text="2020-12-10 17:03:04,056 (asr:236) WARNING: grad norm is nan. Do not update model.",
        event="nonfinite_check",
    ),
    Case(
        trainer="espnet",
        seen="https://github.com/espnet/espnet/issues/2771 (espnet1 e2e_asr_transformer)",
        text="2020-12-10 17:03:04,921 (e2e_asr_transformer:406) WARNING: loss (=inf) is not correct",
        event="nonfinite_check",
    ),
    Case(
        trainer="espnet",
        seen="https://github.com/espnet/espnet/issues/3170 (espnet2 per-interval report)",
        text="[user] 2021-04-23 19:22:56,245 (trainer:636) INFO: 2epoch:train:12009-12640batch: iter_time=3.163e-04, forward_time=0.110, loss=65.129, loss_att=124.079, loss_ctc=144.685, acc=0.065, backward_time=0.086, optim0_lr0=1.485e-05, train_time=0.624",
        metrics={"loss": 65.129, "lr": 1.485e-05, "accuracy": 0.065},
        epoch=2,
        absent=("time",),
    ),
    Case(
        trainer="espnet",
        seen="https://github.com/espnet/espnet/issues/2674 (espnet2 epoch results)",
        text="[PC] 2020-11-11 16:30:18,406 (trainer:243) INFO: 1epoch results: [train] iter_time=0.001, forward_time=0.005, loss=2.853, backward_time=0.005, optim_step_time=1.974e-04, lr_0=0.100, train_time=0.013, time=1 minute and 42.6 seconds, total_count=7507, [valid] loss=2.387, time=3 seconds, total_count=240, [att_plot] time=0.28 seconds, total_count=0",
        metrics={"loss": 2.853, "val_loss": 2.387, "lr": 0.1},
        epoch=1,
        absent=("time",),
    ),
    # ---------------------------------------------------------------- litgpt
    Case(
        trainer="litgpt",
        seen="https://github.com/Lightning-AI/litgpt/issues/689 (lit-gpt finetune)",
        text="iter 77 step 39: loss 10.8259, iter time: 215.31ms (optimizer.step)",
        metrics={"loss": 10.8259},
        absent=("time",),
    ),
    Case(
        trainer="litgpt",
        seen="https://github.com/Lightning-AI/litgpt/issues/1224",
        text="Epoch 1 | iter 46 step 1 | loss train: 3.724, val: n/a | iter time: 45.73 ms",
        metrics={"loss": 3.724},
        epoch=1,
        absent=("val_loss", "time"),
    ),
    # ---------------------------------------------------------------- timm
    Case(
        trainer="timm",
        seen="timm train.py train_one_epoch: 'Train: {} [{:>4d}/{} ({:>3.0f}%)]  Loss: {loss.val:#.4g} ({loss.avg:#.3g})  Time: ...  LR: {lr:.3e}  Data: ...' (numbers made up)",
        text="Train: 0 [  50/5005 (  1%)]  Loss: 6.912 (6.93)  Time: 0.412s,  621.36/s  (0.431s,  593.97/s)  LR: 1.000e-04  Data: 0.012 (0.045)",
        metrics={"loss": 6.912, "lr": 0.0001},
        epoch=0,
        absent=("time",),
    ),
    Case(
        trainer="timm",
        seen="timm train.py train_one_epoch format string (NaN loss, numbers made up)",
        text="Train: 3 [1200/5005 ( 24%)]  Loss: nan (nan)  Time: 0.398s,  643.22/s  (0.405s,  632.10/s)  LR: 9.800e-04  Data: 0.010 (0.011)",
        metrics={"loss": NAN, "lr": 0.00098},
        epoch=3,
        absent=("time",),
    ),
    # ---------------------------------------------------------------- pytorch/examples imagenet, torchvision references
    Case(
        trainer="pytorch-examples",
        seen="https://github.com/pytorch/examples/issues/737 (imagenet/main.py ProgressMeter)",
        text="Epoch: [0][   40/40037]\tTime  0.018 ( 0.046)\tData  0.000 ( 0.019)\tLoss 0.0000e+00 (1.6744e+00)\tAcc@1 100.00 ( 95.12)\tAcc@5 100.00 ( 95.12)",
        metrics={"loss": 0.0, "accuracy": 100.0},
        epoch=0,
        absent=("time",),
    ),
    Case(
        trainer="pytorch-examples",
        seen="pytorch/examples imagenet/main.py AverageMeter fmts ':6.3f' / ':.4e' / ':6.2f' (NaN loss, numbers made up)",
        text="Epoch: [2][1200/5005]\tTime  0.215 ( 0.230)\tData  0.001 ( 0.004)\tLoss nan (nan)\tAcc@1   0.00 ( 45.13)\tAcc@5   0.00 ( 70.20)",
        metrics={"loss": NAN, "accuracy": 0.0},
        epoch=2,
        absent=("time",),
    ),
    Case(
        trainer="torchvision-references",
        seen="github.com/beijn/bachelor-thesis detection/traingraph.py (torchvision references MetricLogger output)",
        text="Epoch: [0]  [5/6]  eta: 0:00:00  lr: 0.005000  loss: 2.4622 (4.1605)  loss_classifier: 0.5505 (0.5914)  loss_box_reg: 0.7064 (0.6924)  loss_mask: 0.7002 (1.1171)  loss_objectness: 0.2731 (1.6362)  loss_rpn_box_reg: 0.1090 (0.1234)  time: 0.9761  data: 0.2334  max mem: 2670",
        metrics={"loss": 2.4622, "lr": 0.005},
        epoch=0,
        absent=("time", "eta"),
    ),
    # ---------------------------------------------------------------- OpenNMT-py
    Case(
        trainer="opennmt",
        seen="https://github.com/OpenNMT/OpenNMT-py/issues/1072",
        text="[2018-11-26 15:06:01,481 INFO] Step 5650/50000; acc:   0.19; ppl:   nan; xent:  nan; lr: 0.00070; 1928/2310 tok/s;  21110 sec",
        metrics={"loss": NAN, "perplexity": NAN, "accuracy": 0.19, "lr": 0.0007},
        step=5650,
    ),
    Case(
        trainer="opennmt",
        seen="https://github.com/OpenNMT/OpenNMT-py/issues/1362",
        text="[2019-03-21 18:45:07,829 INFO] Step 2500/200000; acc:  31.35; ppl: 54.99; xent: 4.01; lr: 0.00031; 4958/262 tok/s;   7445 sec",
        metrics={"loss": 4.01, "perplexity": 54.99, "accuracy": 31.35, "lr": 0.00031},
        step=2500,
    ),
    Case(
        trainer="opennmt",
        seen="https://github.com/OpenNMT/OpenNMT-py/issues/709 (pre-0.4 format)",
        text="Epoch  1, 13000/37527; acc:   4.40; ppl: 24048.64; xent:  10.09; 3623 src tok/s; 3701 tgt tok/s;   9935 s elapsed",
        metrics={"loss": 10.09, "perplexity": 24048.64, "accuracy": 4.4},
        epoch=1,
    ),
    # ---------------------------------------------------------------- Caffe (glog)
    Case(
        trainer="caffe",
        seen="https://github.com/BVLC/caffe/issues/4449",
        text=(
            "I0712 12:18:40.334496  3123 solver.cpp:228] Iteration 100, loss = -nan\n"
            "I0712 12:18:40.334661  3123 solver.cpp:244]     Train net output #0: loss = -nan (* 1 = -nan loss)"
        ),
        metrics={"loss": NAN},
        step=100,
    ),
    Case(
        trainer="caffe",
        seen="https://github.com/BVLC/caffe/issues/4449 (sgd_solver.cpp)",
        text="I0712 12:10:37.058405  3123 sgd_solver.cpp:106] Iteration 0, lr = 0.01",
        metrics={"lr": 0.01},
        step=0,
    ),
    Case(
        trainer="caffe",
        seen="https://github.com/kmaninis/OSVOS-caffe/issues/5 (rate in parentheses)",
        text="I0321 21:59:14.739044 11354 solver.cpp:219] Iteration 160 (0.503615 iter/s, 39.7129s/20 iters), loss = nan",
        metrics={"loss": NAN},
        step=160,
        absent=("time",),
    ),
    Case(
        trainer="caffe",
        seen="https://github.com/BVLC/caffe/issues/1105 (2014 solver.cpp)",
        text=(
            "I0918 02:06:02.857022  5721 solver.cpp:195] Iteration 0, loss = 2.30264\n"
            "I0918 02:06:02.857064  5721 solver.cpp:365] Iteration 0, lr = 0.001\n"
            "I0918 02:06:38.561959  5721 solver.cpp:195] Iteration 200, loss = nan\n"
            "I0918 02:06:38.562106  5721 solver.cpp:365] Iteration 200, lr = 0.001"
        ),
        metrics={"loss": NAN, "lr": 0.001},
        step=200,
    ),
    # ---------------------------------------------------------------- Windows C++ runtime NaN spellings
    Case(
        trainer="caffe-windows",
        seen="https://github.com/alexgkendall/caffe-posenet/issues/12 (title: 'Iteration 40, loss = 1.#QNAN'; glog prefix as in that log)",
        text="I0920 17:25:09.418702  7664 solver.cpp:237] Iteration 40, loss = 1.#QNAN",
        metrics={"loss": NAN},
        step=40,
    ),
    Case(
        trainer="caffe-windows",
        seen="caffe solver.cpp 'Train net output #' line with MSVC ostream infinity spelling 1.#INF (https://stackoverflow.com/questions/347920)",
        text="I0920 17:25:13.102311  7664 solver.cpp:253]     Train net output #0: loss = 1.#INF (* 1 = 1.#INF loss)",
        metrics={"loss": INF},
    ),
    Case(
        trainer="caffe-windows",
        seen="caffe solver.cpp 'Iteration N, loss = ' with MSVC indeterminate NaN spelling -1.#IND (https://stackoverflow.com/questions/347920)",
        text="I0920 17:25:17.551902  7664 solver.cpp:237] Iteration 60, loss = -1.#IND",
        metrics={"loss": NAN},
        step=60,
    ),
    # ---------------------------------------------------------------- Lasagne / nolearn
    Case(
        trainer="nolearn",
        seen="https://github.com/Lasagne/Lasagne/issues/529 (nolearn.lasagne PrintLog, tabulate)",
        text=(
            "  epoch    train loss    valid loss    train/val    valid acc  dur\n"
            "-------  ------------  ------------  -----------  -----------  -----\n"
            "      1           nan       4.51024          nan      0.00000  0.05s\n"
            "      2           nan       4.51024          nan      0.00000  0.04s\n"
            "      3           nan       4.51024          nan      0.00000  0.04s"
        ),
        metrics={"loss": NAN, "val_loss": 4.51024, "val_accuracy": 0.0},
        epoch=3,
        absent=("time",),
    ),
    Case(
        trainer="nolearn",
        seen="https://github.com/dnouri/nolearn/issues/35 (older pipe-table PrintLog)",
        text=(
            " Epoch  |  Train loss  |  Valid loss  |  Train / Val  |  Valid acc  |  Dur\n"
            "--------|--------------|--------------|---------------|-------------|-------\n"
            "     1  |         nan  |         nan  |          nan  |     47.83%  |  0.6s\n"
            "     2  |         nan  |   -4.046479  |          nan  |     52.17%  |  0.6s\n"
            "     3  |   -4.317877  |   -4.494806  |     0.960637  |     52.17%  |  0.6s"
        ),
        metrics={"loss": -4.317877, "val_loss": -4.494806, "val_accuracy": 52.17},
        epoch=3,
        absent=("time",),
    ),
    # ---------------------------------------------------------------- TF1 custom loops / tf.slim
    Case(
        trainer="tf-slim",
        seen="https://github.com/ardiya/HashtagPrediction/issues/6 (slim learning.train_step)",
        text="INFO:tensorflow:global step 2458: loss = nan (2.34 sec/step)",
        metrics={"loss": NAN},
        step=2458,
        absent=("time",),
    ),
    Case(
        trainer="tf-slim",
        seen="https://github.com/tensorflow/models/issues/10532 (absl-formatted duplicate line)",
        text="I0310 01:55:17.169314 140599007401792 learning.py:506] global step 20: loss = 0.5714 (0.028 sec/step)",
        metrics={"loss": 0.5714},
        step=20,
        absent=("time",),
    ),
    Case(
        trainer="tf-slim",
        seen="https://github.com/dennybritz/chatbot-retrieval/issues/10 (tf.contrib.layers.optimize_loss check_numerics)",
        text="tensorflow.python.framework.errors.InvalidArgumentError: Loss is inf or nan : Tensor had NaN values",
        event="nonfinite_check",
    ),
    Case(
        trainer="tf-slim",
        seen="https://github.com/tensorflow/models/issues/5516 (object_detection legacy trainer)",
        text="INFO:tensorflow:Error reported to Coordinator: <class 'tensorflow.python.framework.errors_impl.InvalidArgumentError'>, LossTensor is inf or nan. : Tensor had NaN values",
        event="nonfinite_check",
    ),
    # ---------------------------------------------------------------- TF Estimator
    Case(
        trainer="tf-estimator",
        seen="https://github.com/tensorflow/models/issues/8549 (basic_session_run_hooks LoggingTensorHook)",
        text="I0521 14:43:59.269938 140033274427136 basic_session_run_hooks.py:260] loss = 1.3336712, step = 400 (85.220 sec)",
        metrics={"loss": 1.3336712},
        step=400,
        absent=("time",),
    ),
    Case(
        trainer="tf-estimator",
        seen="https://github.com/tensorflow/tensor2tensor/issues/106",
        text="INFO:tensorflow:loss = 1.8717, step = 31601 (182.200 sec)",
        metrics={"loss": 1.8717},
        step=31601,
        absent=("time",),
    ),
    Case(
        trainer="tf-estimator",
        seen="https://github.com/tensorflow/models/issues/8549 (NanTensorHook)",
        text="E0521 14:44:30.800493 140033274427136 basic_session_run_hooks.py:760] Model diverged with loss = NaN.",
        event="diverged",
    ),
    Case(
        trainer="tf-estimator",
        seen="https://github.com/tensorflow/models/issues/8549",
        text="tensorflow.python.training.basic_session_run_hooks.NanLossDuringTrainingError: NaN loss during training.",
        event="diverged",
    ),
    # ---------------------------------------------------------------- Keras
    Case(
        trainer="keras",
        seen="https://github.com/alexander-rakhlin/CNN-for-Sentence-Classification-in-Keras/issues/7 (Keras 1 epoch line)",
        text=(
            "Epoch 2/10\n"
            "9595/9595 [==============================] - 1s - loss: nan - acc: 0.4117 - val_loss: nan - val_acc: 0.0000e+00"
        ),
        metrics={"loss": NAN, "accuracy": 0.4117, "val_loss": NAN, "val_accuracy": 0.0},
        epoch=2,
        absent=("time",),
    ),
    Case(
        trainer="keras",
        seen="https://github.com/divamgupta/image-segmentation-keras/issues/50 (Keras 2 per-step timing)",
        text="512/512 [==============================] - 127s 247ms/step - loss: nan - acc: nan - val_loss: nan - val_acc: nan",
        metrics={"loss": NAN, "accuracy": NAN, "val_loss": NAN, "val_accuracy": NAN},
        absent=("time",),
    ),
    Case(
        trainer="keras",
        seen="https://github.com/manishsoni1908/Mobilenet-ssd-keras/issues/21 (TerminateOnNaN glued to the progress bar)",
        text="  3/234 [..............................] - ETA: 33:37:24 - loss: 44.4110Batch 3: Invalid loss, terminating training",
        event="nonfinite_check",
    ),
    # ---------------------------------------------------------------- Lightning
    Case(
        trainer="lightning",
        seen="pytorch_lightning/callbacks/early_stopping.py: f'Monitored metric {self.monitor} = {current} is not finite. Previous best value was {self.best_score:.3f}. Signaling Trainer to stop.'",
        text="Monitored metric val_loss = nan is not finite. Previous best value was 0.045. Signaling Trainer to stop.",
        event="nonfinite_check",
    ),
    Case(
        trainer="lightning",
        seen="https://github.com/MeteoSwiss/ldcast/issues/7 (tqdm bar with 'nan.0' from old Lightning formatting)",
        text="Epoch 12: : 1200it [20:40,  1.03s/it, loss=nan, v_num=0, val_loss=nan.0, val_rec_loss=nan.0, val_kl_loss=nan.0]",
        metrics={"loss": NAN, "val_loss": NAN},
        epoch=12,
        absent=("time",),
    ),
    # ---------------------------------------------------------------- Hugging Face Trainer
    Case(
        trainer="hf-trainer",
        seen="https://github.com/modal-labs/llm-finetuning/pull/82 (ProgressCallback.on_log str(logs))",
        text="{'loss': 0.0923, 'grad_norm': 2.383980345174379, 'learning_rate': 9.659320146057262e-05, 'epoch': 0.38}",
        metrics={"loss": 0.0923, "grad_norm": 2.383980345174379, "lr": 9.659320146057262e-05},
    ),
    Case(
        trainer="hf-trainer",
        seen="https://github.com/hiyouga/LlamaFactory/issues/5660",
        text="{'loss': 0.0, 'grad_norm': nan, 'learning_rate': 9.990133642141359e-05, 'epoch': 0.0}",
        metrics={"loss": 0.0, "grad_norm": NAN, "lr": 9.990133642141359e-05},
    ),
    Case(
        trainer="hf-trainer",
        seen="https://github.com/huggingface/trl/issues/3926 (eval dict)",
        text="{'eval_loss': 0.13767920434474945, 'eval_runtime': 30.7302, 'eval_samples_per_second': 19.785, 'eval_steps_per_second': 4.946, 'eval_entropy': 1.980406832538153, 'eval_num_tokens': 5734.0, 'eval_mean_token_accuracy': 0.9613486798970323, 'epoch': 0.01}",
        metrics={"val_loss": 0.13767920434474945},
        absent=("loss", "time"),
    ),
    Case(
        trainer="hf-trainer",
        seen="https://github.com/ymcui/Chinese-LLaMA-Alpaca/issues/534 (transformers 4.x, no grad_norm yet)",
        text="{'loss': 2.0491, 'learning_rate': 0.0001961913563176343, 'epoch': 0.28}",
        metrics={"loss": 2.0491, "lr": 0.0001961913563176343},
    ),
    Case(
        trainer="hf-trainer",
        seen="transformers trainer.py logger.info(f'Using {args.half_precision_backend} half precision backend'); log line as pasted in a public issue",
        text="[INFO|trainer.py:607] 2024-03-27 21:46:52,604 >> Using auto half precision backend",
        event="half_precision",
    ),
    # ---------------------------------------------------------------- PaddleDetection / PaddleClas / PaddleOCR
    Case(
        trainer="paddledetection",
        seen="https://github.com/PaddlePaddle/PaddleDetection/issues/5337 (static-graph tools/train.py)",
        text="2022-03-09 15:20:50,962-INFO: iter: 20, lr: 0.000085, 'loss': 'nan', eta: 5 days, 18:42:12, batch_cost: 1.24839 sec, ips: 1.60206 images/sec",
        metrics={"loss": NAN, "lr": 8.5e-05},
        step=20,
        absent=("eta", "time"),
    ),
    Case(
        trainer="paddledetection",
        seen="https://github.com/PaddlePaddle/PaddleDetection/issues/1946",
        text="2020-12-22 08:05:25,238-INFO: iter: 1240, lr: 0.019992, 'loss_cls': '0.736654', 'loss_bbox': '0.011202', 'loss': '1.263390', eta: 10:52:43, batch_cost: 0.39655 sec, ips: 5.04344 images/sec",
        metrics={"loss": 1.26339, "lr": 0.019992},
        step=1240,
        absent=("eta", "time"),
    ),
    Case(
        trainer="paddledetection",
        seen="https://github.com/PaddlePaddle/PaddleDetection/issues/4272 (dygraph ppdet.engine)",
        text="[10/08 00:43:11] ppdet.engine INFO: Epoch: [0] [  560/21947] learning_rate: 0.000060 loss_rpn_cls: 0.677536 loss_rpn_reg: 0.017564 loss_bbox_cls: 0.030547 loss_bbox_reg: 0.006676 loss: 0.740015 eta: 1 day, 10:42:49 batch_cost: 0.4942 data_cost: 0.0003 ips: 4.0471 images/s",
        metrics={"loss": 0.740015, "lr": 6e-05},
        epoch=0,
        absent=("eta", "time"),
    ),
    Case(
        trainer="paddleclas",
        seen="https://github.com/PaddlePaddle/PaddleClas/issues/1028",
        text="[2021/07/08 19:07:16] root INFO: [Train][Epoch 1/120][Iter: 90/1177]lr: 0.10000, CELoss: nan, loss: nan, top1: 0.06868, top5: 0.16209, batch_cost: 0.83230s, reader_cost: 0.00177, ips: 4.80596 images/sec, eta: 1 day, 8:37:59",
        metrics={"loss": NAN, "lr": 0.1},
        epoch=1,
        absent=("eta", "time"),
    ),
    Case(
        trainer="paddleclas",
        seen="https://github.com/PaddlePaddle/PaddleClas/issues/2967 (epoch average)",
        text="[2023/09/13 09:33:10] ppcls INFO: [Train][Epoch 56/100][Avg]top1: 0.00000, top2: 0.00000, CELoss: nan, loss: nan",
        metrics={"loss": NAN},
        epoch=56,
    ),
    Case(
        trainer="paddleclas",
        seen="https://github.com/PaddlePaddle/PaddleClas/issues/109 (2020 format)",
        text="2020-07-27 17:35:21 INFO: epoch:4   train step:170  loss:  0.1664 top1: 0.9688 top5: 1.0000 lr: 2.299093 elapse: 0.881s",
        metrics={"loss": 0.1664, "lr": 2.299093},
        epoch=4,
        absent=("time",),
    ),
    Case(
        trainer="paddleocr",
        seen="https://github.com/PaddlePaddle/PaddleOCR/issues/2794",
        text="2021-05-14 11:36:51,758-INFO: epoch: 0, iter: 2, lr: 0.000001, 'loss': nan, 'acc': 0.0, time: 2.346",
        metrics={"loss": NAN, "lr": 1e-06, "accuracy": 0.0},
        step=2,
        epoch=0,
        absent=("time",),
    ),
    # ---------------------------------------------------------------- torchtune
    Case(
        trainer="torchtune",
        seen="https://github.com/meta-pytorch/torchtune/pull/1358 (StdoutLogger/DiskLogger 'Step {step} | {name}:{value} ...')",
        text="Step 10 | loss:1.0359036922454834 lr:2e-05 tokens_per_second_per_gpu:962.2259327743811",
        metrics={"loss": 1.0359036922454834, "lr": 2e-05},
        step=10,
    ),
    Case(
        trainer="torchtune",
        seen="torchtune recipes pbar.set_description(f'{curr_epoch + 1}|{self.global_step}|Loss: {loss_to_log}') + tqdm bar (numbers made up)",
        text="1|10|Loss: nan:  10%|█         | 10/100 [00:31<04:39,  3.10s/it]",
        metrics={"loss": NAN},
        step=10,
        epoch=1,
    ),
    # ---------------------------------------------------------------- llm.c
    Case(
        trainer="llm.c",
        seen="https://github.com/karpathy/llm.c/issues/796 (train_gpt2.cu; '+nanz' is the z-score, not the loss)",
        text="step   61/74 | loss 3.208939 (+nanz)| norm 1.4800 (+nanz)| lr 3.00e-04 | 44.57 ms | -100.0% bf16 MFU | 91886 tok/s",
        metrics={"loss": 3.208939, "grad_norm": 1.48, "lr": 0.0003},
        step=61,
        absent=("time",),
    ),
    Case(
        trainer="llm.c",
        seen="https://github.com/anthonix/llm.c/issues/2 (llm.c fork, same printf)",
        text="step   10/74 | loss     nan (+nanz)| norm    nan (+nanz)| lr 3.00e-04 | 36.58 ms | 9.2% bf16 MFU | 112241 tok/s",
        metrics={"loss": NAN, "grad_norm": NAN, "lr": 0.0003},
        step=10,
        absent=("time",),
    ),
    Case(
        trainer="llm.c",
        seen="https://github.com/anthonix/llm.c/issues/2",
        text="val loss nan",
        metrics={"val_loss": NAN},
    ),
    # ---------------------------------------------------------------- nanoGPT / llama2.c
    Case(
        trainer="nanogpt",
        seen="https://github.com/karpathy/nanoGPT/issues/215 (train.py, with a timestamp prefix added by the user)",
        text="2023-03-22 09:33:02 iter 3020: loss nan, time 1015.95ms, mfu 14.36%",
        metrics={"loss": NAN},
        step=3020,
        absent=("time", "mfu"),
    ),
    Case(
        trainer="nanogpt",
        seen="https://github.com/karpathy/nanoGPT/issues/466",
        text="iter 390: loss 4.6022, time 33637.29ms, mfu 0.96%",
        metrics={"loss": 4.6022},
        step=390,
        absent=("time", "mfu"),
    ),
    Case(
        trainer="nanogpt",
        seen="https://github.com/karpathy/nanoGPT/issues/215 (eval line)",
        text="step 3000: train loss 4.0390, val loss 4.0427",
        metrics={"loss": 4.039, "val_loss": 4.0427},
        step=3000,
    ),
    Case(
        trainer="llama2.c",
        seen="https://github.com/datawhalechina/tiny-universe/issues/31 (llama2.c-style train.py)",
        text="100000 | loss nan | lr 0.000000e+00 | 2006.12ms | mfu 1.68%",
        metrics={"loss": NAN, "lr": 0.0},
        step=100000,
        absent=("time", "mfu"),
    ),
    # ---------------------------------------------------------------- exports and JSON lines
    Case(
        trainer="tensorboard-csv",
        seen="https://github.com/tensorflow/ranking/issues/20 (TensorBoard 'download CSV', shown there as a table)",
        text="Wall time,Step,Value\n1547130254.665982,1,1.5420621633529663",
        step=1,
        absent=("time",),
    ),
    Case(
        trainer="deit-log",
        seen="https://github.com/yuhuan-wu/P2T/issues/13 (DeiT/timm-style log.txt json lines)",
        text=(
            '{"train_lr": 8.159469122054745e-05, "train_loss": 3.20298746091237, "epoch": 249, "n_parameters": 11590840}\n'
            '{"train_lr": 7.893269663304691e-05, "train_loss": 3.195464231282306, "test_loss": 0.9325173419554115, "test_acc1": 78.83600243652344, "test_acc5": 94.46600252929687, "epoch": 250, "n_parameters": 11590840}'
        ),
        metrics={
            "loss": 3.195464231282306,
            "lr": 7.893269663304691e-05,
            "val_loss": 0.9325173419554115,
        },
        epoch=250,
    ),
    Case(
        trainer="pandas",
        seen="pandas DataFrame.__repr__ of a history frame, generated with pandas 2.x (numbers made up)",
        text=(
            "   epoch        loss  val_loss\n"
            "0      0    0.693147  0.681234\n"
            "1      1    0.512345  0.534567\n"
            "2      2  390.000000       inf\n"
            "3      3         NaN       NaN"
        ),
        metrics={"loss": NAN, "val_loss": NAN},
        epoch=3,
    ),
    # ---------------------------------------------------------------- plain PyTorch print loops
    Case(
        trainer="pytorch-loop",
        seen="yunjey/pytorch-tutorial style print('Epoch [{}/{}], Step [{}/{}], Loss: {:.4f}') (numbers made up)",
        text="Epoch [1/10], Step [100/600], Loss: 0.5321",
        metrics={"loss": 0.5321},
        epoch=1,
    ),
    Case(
        trainer="pytorch-loop",
        seen="same format string, NaN loss (numbers made up)",
        text="Epoch [3/10], Step [500/600], Loss: nan",
        metrics={"loss": NAN},
        epoch=3,
    ),
    Case(
        trainer="simmim",
        seen="https://github.com/microsoft/SimMIM/issues/15 (Swin/SimMIM logger, tab-separated)",
        text="[2022-02-05 16:37:48 simmim_pretrain] (main_simmim.py 185): INFO Train: [11/100][100/1251]\teta 0:12:09 lr 0.000777\ttime 0.5750 (0.6336)\tloss 0.5325 (0.5074)\tgrad_norm 0.0052 (0.0076)\tmem 18243MB",
        metrics={"loss": 0.5325, "lr": 0.000777, "grad_norm": 0.0052},
        epoch=11,
        absent=("time", "eta", "memory"),
    ),
    # ---------------------------------------------------------------- Chinese logs
    Case(
        trainer="chinese-loop",
        seen="https://github.com/xiaotudui/pytorch-tutorial/issues/1 (full-width colons)",
        text="训练次数：100, Loss：1.9817659854888916",
        metrics={"loss": 1.9817659854888916},
        step=100,
    ),
    Case(
        trainer="chinese-loop",
        seen="https://github.com/xiaotudui/pytorch-tutorial/issues/1",
        text="整体测试集上的Loss: 262.62046909332275\n整体测试集上的正确率: 0.3889999985694885",
        metrics={"val_loss": 262.62046909332275, "val_accuracy": 0.3889999985694885},
    ),
    # ---------------------------------------------------------------- label out of range
    Case(
        trainer="tensorflow",
        seen="https://github.com/biarne-a/hm-two-step-reco/issues/3",
        text="Received a label value of 66908 which is outside the valid range of [0, 66908).  Label values: 49662 50073 50073 55641 53538 66908",
        event="label_out_of_range",
    ),
    Case(
        trainer="tensorflow",
        seen="https://github.com/tensorflow/tensorflow/issues/5932 (label list cut by us after a few values)",
        text="W tensorflow/core/framework/op_kernel.cc:975] Invalid argument: Received a label value of 255 which is outside the valid range of [0, 10).  Label values: 65 229 184 161 102",
        event="label_out_of_range",
    ),
    Case(
        trainer="pytorch",
        seen="https://github.com/yangheng95/PyABSA/issues/375",
        text="IndexError: Target 2 is out of bounds.",
        event="label_out_of_range",
    ),
    Case(
        trainer="pytorch",
        seen="https://github.com/pytorch/pytorch/issues/71550",
        text="/opt/conda/conda-bld/pytorch_1634272178570/work/aten/src/ATen/native/cuda/Loss.cu:455: nll_loss_backward_reduce_cuda_kernel_2d: block: [0,0,0], thread: [8,0,0] Assertion `t >= 0 && t < n_classes` failed.",
        event="label_out_of_range",
    ),
    Case(
        trainer="pytorch",
        seen="https://github.com/pytorch/pytorch/issues/18014",
        text="THCudaCheck FAIL file=/pytorch/aten/src/THC/generated/../THCReduceAll.cuh line=317 error=59 : device-side assert triggered",
        event="label_out_of_range",
    ),
    Case(
        trainer="marian",
        seen="https://github.com/marian-nmt/marian/issues/120",
        text="[2017-10-14 02:03:19] Ep. 2 : Up. 116760 : Sen. 6962176 : Cost 111.24 : Time 3.57s : 11717.49 words/s",
        metrics={"cost": 111.24},
        step=116760,
        epoch=2,
        absent=("time",),
    ),
    Case(
        trainer="tensorflow",
        seen="tensorflow/python/training/basic_session_run_hooks.py (NanTensorHook's message)",
        text="E0521 14:44:30.800493 basic_session_run_hooks.py:760] Model diverged with loss = NaN.",
        metrics={"loss": NAN},
        absent=("with loss",),
    ),
    Case(
        trainer="cyclegan",
        seen="https://github.com/junyanz/pytorch-CycleGAN-and-pix2pix/issues/510",
        text="(epoch: 1, iters: 100, time: 0.507, data: 0.091) D_A: 0.201 G_A: 0.297 cycle_A: 4.741 idt_A: 0.712 D_B: 0.250 G_B: 0.422 cycle_B: 2.388 idt_B: 2.395 ",
        metrics={"g_a": 0.297, "cycle_a": 4.741},
        step=100,
        epoch=1,
        absent=("time", "data"),
    ),
    Case(
        trainer="paddleocr",
        seen="https://github.com/PaddlePaddle/PaddleOCR/issues/6848",
        text="Found inf or nan, current scale is: 0.001953125, decrease to: 0.001953125*0.5",
        event="overflow",
    ),
    Case(
        trainer="fastai",
        seen="https://oyane806.github.io/nn-tuning (fastai v1's fit table)",
        text="epoch train_loss valid_loss error_rate\n1 1.513021 1.041628 0.507326 (00:13)\n2 1.290093 0.994758 0.443223 (00:09)",
        metrics={"loss": 1.290093, "val_loss": 0.994758},
        epoch=2,
        absent=("time",),
    ),
)
