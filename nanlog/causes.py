"""The cause catalogue: what can make a loss NaN, and what to do about it.

Data only. Cause ids are fixed by the contract. Remedies live here, once, per
framework: a rule says *what it saw*, the cause says *what to do*, in the
words of the framework the log came from (``generic`` when unknown).
"""

from __future__ import annotations

from dataclasses import dataclass, field

FRAMEWORKS = (
    "keras",
    "pytorch",
    "lightning",
    "hf",
    "detectron2",
    "mmdet",
    "yolo",
    "fairseq",
    "deepspeed",
    "megatron",
    "generic",
)
# How a person names each framework (reports and rule pages).
FRAMEWORK_NAMES: dict[str, str] = {
    "keras": "Keras",
    "pytorch": "PyTorch",
    "lightning": "Lightning",
    "hf": "Hugging Face",
    "detectron2": "detectron2",
    "mmdet": "OpenMMLab",
    "yolo": "Ultralytics/YOLO",
    "fairseq": "fairseq",
    "deepspeed": "DeepSpeed",
    "megatron": "Megatron-LM",
    "generic": "general",
}


@dataclass(frozen=True)
class Cause:
    id: str
    title: str
    explanation: str
    remedies: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def remedies_for(self, framework: str) -> list[str]:
        """The framework's remedies, then the generic ones it does not already say."""
        specific = list(self.remedies.get(framework, ()))
        return specific + [r for r in self.remedies.get("generic", ()) if r not in specific]


CAUSES: tuple[Cause, ...] = (
    Cause(
        "exploding_gradients",
        "Exploding gradients",
        "Gradients grew step after step until the weights or the loss overflowed.",
        {
            "generic": (
                "Clip gradients by global norm (e.g. max norm 1.0).",
                "Lower the learning rate (try 10x smaller) or add warm-up.",
                "Normalise inputs and regression targets (zero mean, unit variance); add "
                "batch/layer normalisation to deep or recurrent stacks.",
                "Add weight regularisation (L2 / weight decay) so the weights cannot grow without bound.",
            ),
            "keras": (
                "Clip gradients in the optimizer: keras.optimizers.Adam(learning_rate=1e-4, clipnorm=1.0) "
                "(or global_clipnorm=1.0).",
                "Stop at the first NaN and keep the last good weights: callbacks=[keras.callbacks.TerminateOnNaN()].",
            ),
            "pytorch": (
                "Clip before the optimizer step: torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0).",
                "Log the gradient norm (clip_grad_norm_ returns it) to see the growth early.",
            ),
            "lightning": (
                "Clip in the Trainer: Trainer(gradient_clip_val=1.0, gradient_clip_algorithm='norm').",
            ),
            "hf": (
                "Keep gradient clipping on: TrainingArguments(max_grad_norm=1.0) (0 disables it).",
            ),
            "detectron2": (
                "Enable clipping: SOLVER.CLIP_GRADIENTS.ENABLED True, SOLVER.CLIP_GRADIENTS.CLIP_TYPE "
                "norm, SOLVER.CLIP_GRADIENTS.CLIP_VALUE 1.0.",
            ),
            "mmdet": (
                "Clip in the optimizer wrapper: optim_wrapper = dict(clip_grad=dict(max_norm=35, "
                "norm_type=2)) (mmcv 1.x: optimizer_config = dict(grad_clip=dict(max_norm=35, norm_type=2))).",
            ),
            "yolo": ("Lower lr0 and keep warmup_epochs (ultralytics clips at norm 10 already).",),
            "fairseq": ("Clip with --clip-norm 0.1 (0 disables clipping).",),
            "deepspeed": ('Set "gradient_clipping": 1.0 in the DeepSpeed config.',),
            "megatron": ("Clip with --clip-grad 1.0.",),
        },
    ),
    Cause(
        "learning_rate_too_high",
        "Learning rate too high",
        "The step size is too large for the problem: the loss jumps and oscillates from the first steps.",
        {
            "generic": (
                "Lower the learning rate by 10x and retry; a learning-rate range test finds the limit.",
                "Add a warm-up of a few hundred steps so the first updates are small.",
                "Clip gradients so one bad step cannot throw the weights far.",
            ),
            "keras": (
                "Lower it in the optimizer: keras.optimizers.Adam(learning_rate=1e-4); "
                "add keras.callbacks.ReduceLROnPlateau() for later plateaus.",
                "Clip as well: keras.optimizers.Adam(learning_rate=1e-4, clipnorm=1.0).",
            ),
            "pytorch": (
                "Lower lr in the optimizer (torch.optim.Adam(model.parameters(), lr=1e-4)) and add warm-up "
                "with torch.optim.lr_scheduler.LinearLR(optimizer, start_factor=0.01, total_iters=500).",
            ),
            "lightning": (
                "Lower the lr returned by configure_optimizers(); Lightning's Tuner(trainer).lr_find(model) "
                "suggests a starting value.",
            ),
            "hf": (
                "Lower TrainingArguments(learning_rate=...) and add warmup_steps=... (or warmup_ratio=0.1).",
            ),
            "detectron2": (
                "Scale SOLVER.BASE_LR with SOLVER.IMS_PER_BATCH (linear rule: the model zoo's 0.02 is for "
                "16 images on 8 GPUs; 1 GPU with 2 images wants 0.0025) and keep SOLVER.WARMUP_ITERS.",
            ),
            "mmdet": (
                "The config's lr is for 8 GPUs x 2 images: divide it by 8 on one GPU, or set "
                "auto_scale_lr = dict(enable=True, base_batch_size=16); keep the LinearLR warm-up.",
            ),
            "yolo": ("Lower lr0 (e.g. lr0=0.001) and keep warmup_epochs=3.",),
            "fairseq": (
                "Lower --lr and warm up: --lr-scheduler inverse_sqrt --warmup-updates 4000; a larger "
                "--max-tokens or --update-freq needs a smaller --lr.",
            ),
            "deepspeed": (
                'Lower the optimizer\'s "lr" in the DeepSpeed config and warm up with the WarmupLR '
                'scheduler ("warmup_max_lr", "warmup_num_steps").',
            ),
            "megatron": (
                "Lower --lr and warm up with --lr-warmup-iters (or --lr-warmup-fraction).",
            ),
        },
    ),
    Cause(
        "invalid_learning_rate",
        "Learning rate itself became NaN, infinite or negative",
        "The learning-rate schedule produced an invalid value (e.g. sqrt or power of a negative "
        "number, division by zero, a schedule run past its end).",
        {
            "generic": (
                "Print the schedule over the whole run before training and check every value is finite "
                "and >= 0 (e.g. 1 - step/total goes negative after total steps).",
                "Clamp the schedule: lr = max(min_lr, f(step)); stop warm-up before the loss breaks.",
            ),
            "keras": (
                "Check the function given to keras.callbacks.LearningRateScheduler: it must return a "
                "finite, non-negative float for every epoch of fit().",
            ),
            "pytorch": (
                "Check the lambda of torch.optim.lr_scheduler.LambdaLR for every step you run "
                "(scheduler.get_last_lr() each step); clamp it with max(0.0, ...).",
            ),
            "lightning": (
                "Log the lr with LearningRateMonitor(logging_interval='step') and check the scheduler "
                "returned by configure_optimizers() over max_steps.",
            ),
            "hf": (
                "Check the scheduler passed in Trainer(optimizers=(optimizer, scheduler)) or "
                "lr_scheduler_type/num_training_steps: a schedule shorter than the run goes invalid.",
            ),
            "detectron2": (
                "Check SOLVER.STEPS, SOLVER.GAMMA and SOLVER.MAX_ITER against each other.",
            ),
            "mmdet": (
                "Check param_scheduler: its end/milestones must fit max_epochs or max_iters.",
            ),
            "fairseq": ("Check --lr-scheduler's arguments (--warmup-updates, --max-update).",),
            "megatron": ("Check --lr-decay-iters / --lr-decay-style against --train-iters.",),
        },
    ),
    Cause(
        "unstable_loss_function",
        "Numerically unstable loss (log(0), division by zero, sqrt at 0, exp overflow)",
        "The loss declined normally, then one operation met a value it cannot take: log(0), x/0, "
        "the gradient of sqrt at 0, or exp of a large number.",
        {
            "generic": (
                "Put the epsilon inside the operation, not after it: log(p + 1e-7), sqrt(x + 1e-12), "
                "x / (y + 1e-8); adding eps to the loss itself does not help.",
                "Use the numerically stable built-in: cross-entropy from logits instead of log(softmax).",
                "If one loss term dominates, reduce its weight.",
            ),
            "keras": (
                "Give logits to the loss: keras.losses.CategoricalCrossentropy(from_logits=True) "
                "(BinaryCrossentropy likewise) and drop the final softmax/sigmoid.",
                "In a custom loss clip first: keras.ops.log(keras.ops.clip(p, 1e-7, 1.0)).",
            ),
            "pytorch": (
                "Use torch.nn.functional.log_softmax / nn.CrossEntropyLoss on logits and "
                "nn.BCEWithLogitsLoss instead of log(sigmoid(x)).",
                "Clamp inside: torch.log(torch.clamp(p, min=1e-7)), torch.sqrt(torch.clamp(x, min=1e-12)).",
                "Find the operation: with torch.autograd.detect_anomaly(): loss.backward() names the "
                "backward function that returned NaN.",
            ),
            "lightning": (
                "Find the operation: Trainer(detect_anomaly=True) names the backward function that returned NaN.",
            ),
            "hf": (
                "If you override compute_loss, use torch.nn.functional.cross_entropy on logits and clamp "
                "inside log/sqrt.",
            ),
            "detectron2": (
                "Look for degenerate boxes (zero width/height) and custom losses; the Smooth L1 / GIoU "
                "terms divide by box sizes.",
            ),
            "mmdet": (
                "Check custom losses and boxes of zero size; mmdet's IoU losses take an eps.",
            ),
        },
    ),
    Cause(
        "bad_input_data",
        "NaN, infinite or extreme values in the input data",
        "A sample carries NaN/inf (or a value so large it overflows): the loss turns NaN at the batch "
        "that holds it.",
        {
            "generic": (
                "Check the data before training: np.isnan(x).any(), np.isinf(x).any(), and the min/max "
                "of every feature and target.",
                "Normalise features and targets; replace or drop missing values instead of passing NaN.",
                "Find the batch: iterate the data loader without training and assert every batch is finite.",
            ),
            "keras": (
                "Scan the dataset: for x, y in dataset: tf.debugging.check_numerics(x, 'input') "
                "(or np.isnan(x_train).any()).",
                "Stop at the first NaN batch: callbacks=[keras.callbacks.TerminateOnNaN()].",
            ),
            "pytorch": (
                "Assert each batch: assert torch.isfinite(x).all(), in the training loop or the Dataset's __getitem__.",
            ),
            "lightning": (
                "Assert each batch in training_step (torch.isfinite(batch[0]).all()); "
                "Trainer(detect_anomaly=True) points at the operation.",
            ),
            "hf": (
                "Check the tokenised/processed dataset for NaN in float features and for empty examples; "
                "with the default logging_nan_inf_filter the printed loss hides the NaN (watch grad_norm).",
            ),
            "detectron2": (
                "Check the dataset's annotations: boxes inside the image with positive width and "
                "height (DatasetCatalog.get(name) and a loop over 'annotations').",
            ),
            "mmdet": (
                "Filter bad samples: filter_cfg=dict(filter_empty_gt=True, min_size=32); inspect the "
                "data with tools/analysis_tools/browse_dataset.py.",
            ),
            "yolo": ("Check the label files: normalised xywh in [0, 1], class ids < nc.",),
            "fairseq": ("Re-run fairseq-preprocess and drop empty or over-long samples.",),
        },
    ),
    Cause(
        "label_out_of_range",
        "A target label outside [0, num_classes)",
        "A class label is negative or >= the number of outputs. On CPU this raises an error; on GPU "
        "it can silently give NaN or a device-side assert.",
        {
            "generic": (
                "Check the labels: min(labels) >= 0 and max(labels) < num_classes; make the output layer "
                "as wide as the number of classes.",
                "Re-map labels that come as strings, 1-based ids or sentinel values (e.g. -1, 255) "
                "to 0..num_classes-1, or mask them out.",
            ),
            "keras": (
                "With sparse_categorical_crossentropy the last Dense layer needs num_classes units; "
                "check np.unique(y_train).",
            ),
            "pytorch": (
                "Check targets before nn.CrossEntropyLoss: assert 0 <= y.min() and y.max() < num_classes "
                "(use ignore_index=-100 for padding labels); run on CPU to get a readable error.",
            ),
            "lightning": (
                "Run a few batches on CPU (Trainer(accelerator='cpu', fast_dev_run=True)) to turn a "
                "device-side assert into a readable error.",
            ),
            "hf": (
                "Set num_labels in the model config to the number of classes and check the dataset's "
                "label column (np.unique).",
            ),
            "detectron2": ("Set MODEL.ROI_HEADS.NUM_CLASSES to the dataset's number of classes.",),
            "mmdet": (
                "Set num_classes in the heads to the dataset's number of classes and "
                "metainfo=dict(classes=...) in the dataset.",
            ),
            "yolo": ("Make nc in data.yaml match the class ids in the label files.",),
        },
    ),
    Cause(
        "wrong_output_activation",
        "Wrong output activation for the loss (e.g. relu with cross-entropy)",
        "The output layer's activation does not fit the loss: a relu output can be all zeros, "
        "so cross-entropy takes log(0) or 0/0 and accuracy falls to chance.",
        {
            "generic": (
                "Use softmax (multi-class) or sigmoid (binary) on the output layer, or better no "
                "activation and a loss that takes logits.",
            ),
            "keras": (
                "Use Dense(num_classes, activation='softmax') with categorical_crossentropy, or no "
                "activation with keras.losses.CategoricalCrossentropy(from_logits=True).",
            ),
            "pytorch": (
                "Return raw logits from forward() and use nn.CrossEntropyLoss (it applies log_softmax); "
                "no relu on the last layer.",
            ),
            "lightning": (
                "Return raw logits from the LightningModule and use torch.nn.functional.cross_entropy.",
            ),
            "hf": (
                "Let the model's head return logits and the Trainer compute the loss; do not add an "
                "activation after the classifier.",
            ),
        },
    ),
    Cause(
        "mixed_precision_overflow",
        "fp16 overflow / loss-scale collapse (mixed precision)",
        "A value exceeded float16's maximum (65504) or the dynamic loss scale kept shrinking: "
        "overflow to inf, then NaN.",
        {
            "generic": (
                "Train in bfloat16 (same range as float32) if the hardware has it, or in float32.",
                "Keep the loss and large reductions in float32; scale targets down so outputs stay far "
                "below 65504.",
                "A few overflows at the start that recover are normal loss-scaler behaviour.",
            ),
            "keras": (
                "Keep the last layer in float32: layers.Activation('linear', dtype='float32'); "
                "or keras.mixed_precision.set_global_policy('float32').",
            ),
            "pytorch": (
                "Use torch.autocast(device_type, dtype=torch.bfloat16); with fp16 keep "
                "torch.amp.GradScaler and unscale before clipping (scaler.unscale_(optimizer)).",
            ),
            "lightning": ("Use Trainer(precision='bf16-mixed') instead of '16-mixed'.",),
            "hf": ("Use TrainingArguments(bf16=True) instead of fp16=True.",),
            "detectron2": ("Turn AMP off (SOLVER.AMP.ENABLED False) or train in float32.",),
            "mmdet": (
                "Use dynamic loss scaling: optim_wrapper = dict(type='AmpOptimWrapper', "
                "loss_scale='dynamic'), or train without fp16.",
            ),
            "yolo": ("Train with amp=False.",),
            "fairseq": (
                "Use --bf16 (or --memory-efficient-fp16), lower --max-tokens / --update-freq, or "
                "raise --min-loss-scale; --fp16-scale-tolerance 0.25 tolerates rare overflows.",
            ),
            "deepspeed": (
                'Use "bf16": {"enabled": true} instead of "fp16"; with fp16 keep dynamic scaling '
                '("loss_scale": 0) and "min_loss_scale": 1.',
            ),
            "megatron": ("Use --bf16 instead of --fp16.",),
        },
    ),
)

# How often each cause explains a NaN loss in public threads: the established causes of the
# tuning half of ../shared/real_logs (scripts/real_logs_split.csv; 17 logs with a NaN or a
# divergence), counted with add-one smoothing over the catalogue and "a cause outside it".
# tests/test_accuracy.py recounts them. Rules' evidence updates these; with no evidence at
# all the ranking is this table (or its domain's, below).
PRIOR_COUNTS: dict[str, int] = {
    "learning_rate_too_high": 6,
    "mixed_precision_overflow": 3,
    "bad_input_data": 2,
    "label_out_of_range": 2,
    "exploding_gradients": 1,
    "unstable_loss_function": 1,
    "wrong_output_activation": 0,
    "invalid_learning_rate": 0,
}
OUTSIDE_COUNT = 2  # threads whose cause is outside the catalogue (other:*)
_TOTAL = sum(PRIOR_COUNTS.values()) + OUTSIDE_COUNT + len(PRIOR_COUNTS) + 1
PRIORS: dict[str, float] = {cause: (n + 1) / _TOTAL for cause, n in PRIOR_COUNTS.items()}
OUTSIDE_PRIOR = (OUTSIDE_COUNT + 1) / _TOTAL

# The same counts for the logs of one task (nanlog.domain), over every labelled real log but
# the held-out half (the tuning half and sample_logs/real; nanlog.evaluation.count_causes,
# `python scripts/evaluate.py --priors`): speech and text recognition break mostly on their
# data, detection mostly on the rate and then on degenerate boxes, language models on the
# rate or in float16. "other" is a cause outside the catalogue. Few logs per domain, so each domain's
# table is pulled towards the overall priors by DOMAIN_PSEUDO_COUNT logs' worth of them.
DOMAIN_PRIOR_COUNTS: dict[str, dict[str, int]] = {
    "detection": {
        "learning_rate_too_high": 13,
        "bad_input_data": 11,
        "other": 6,
        "unstable_loss_function": 4,
        "mixed_precision_overflow": 2,
        "label_out_of_range": 1,
    },
    "language": {"learning_rate_too_high": 3, "mixed_precision_overflow": 2, "other": 2},
    "transcription": {"bad_input_data": 6, "learning_rate_too_high": 1, "other": 1},
}
DOMAIN_PSEUDO_COUNT = 6


def priors_for(domain: str | None) -> tuple[dict[str, float], float]:
    """Each cause's prior, and that of a cause outside the catalogue, for a log's domain."""
    counts = DOMAIN_PRIOR_COUNTS.get(domain or "")
    if counts is None:
        return PRIORS, OUTSIDE_PRIOR
    total = sum(counts.values()) + DOMAIN_PSEUDO_COUNT

    def blend(n: int, prior: float) -> float:
        return (n + DOMAIN_PSEUDO_COUNT * prior) / total

    priors = {cause: blend(counts.get(cause, 0), p) for cause, p in PRIORS.items()}
    return priors, blend(counts.get("other", 0), OUTSIDE_PRIOR)


# What the user can run to confirm or rule out each cause, said when the log cannot tell.
CHECKS: dict[str, str] = {
    "exploding_gradients": (
        "log the gradient norm every step (clip_grad_norm_ returns it): a norm growing by orders of magnitude before the NaN confirms it"
    ),
    "learning_rate_too_high": (
        "rerun with the learning rate divided by 10: if the NaN goes away or comes much later, the rate was too high"
    ),
    "invalid_learning_rate": (
        "print the learning rate at every step (optimizer.param_groups[0]['lr']): it must stay finite and positive"
    ),
    "unstable_loss_function": (
        "turn on anomaly detection (torch.autograd.set_detect_anomaly(True) / tf.debugging.enable_check_numerics()): it names the op (Log, Div, Sqrt) that made the NaN"
    ),
    "bad_input_data": (
        "check the batches: np.isfinite(x).all() and np.isfinite(y).all() for every batch, and the batch at the NaN's step"
    ),
    "label_out_of_range": ("check the labels: y.min() >= 0 and y.max() < num_classes"),
    "wrong_output_activation": (
        "look at the last layer: logits (no activation) or softmax/sigmoid, never relu, before a cross-entropy"
    ),
    "mixed_precision_overflow": (
        "rerun the same steps in float32 (or bf16): if the NaN disappears, float16 overflowed"
    ),
}

BY_ID: dict[str, Cause] = {cause.id: cause for cause in CAUSES}
ORDER: dict[str, int] = {cause.id: i for i, cause in enumerate(CAUSES)}
