"""What kind of model a log trains, read from its words: the priors depend on it.

In public threads the cause of a NaN loss depends on the task: speech and text recognition
with CTC break mostly on their data (targets longer than the inputs, empty or broken
utterances), object detection mostly on a learning rate too high for the batch or on
degenerate boxes, language models on the rate or in float16.
:data:`nanlog.causes.DOMAIN_PRIOR_COUNTS` holds those counts; this module names the task.

The words are looked for in the head of the log (its first 4 KiB: banners, configs), the
metric names and the first diagnostic lines. A log that names none of them has no domain
and keeps the overall priors.
"""

from __future__ import annotations

import re

from nanlog.model import Run

# Speech and text recognition: CTC / attention / transducer losses, error rates, toolkits.
_TRANSCRIPTION = re.compile(
    r"(?<![A-Za-z])(?:ctc|loss_att|att_loss|wer|cer|asr|espnet|wenet|icefall|k2|transducer|"
    r"rnnt|rnn-t|utterances?|utts|fbank|tacotron|wav2vec2?|whisper|speech|librispeech|"
    r"aishell|crnn|ocr)(?![A-Za-z])",
    re.IGNORECASE,
)
# Object detection and instance segmentation: box, region and objectness losses (CenterNet's
# heatmap, size and offset terms), toolkits.
_DETECTION = re.compile(
    r"(?<![A-Za-z])(?:loss_bbox|bbox|box_loss|loss_box|rpn\w*|loss_rpn\w*|rcnn\w*|roi|loss_mask|"
    r"mask_loss|obj_loss|loss_obj|objectness|loc_loss|conf_loss|loss_iou|iou_loss|giou|"
    r"centerness|loss_heatmap|anchors?|mAP|yolo\w*|ssd|retinanet|detectron2?|mmdet\w*|fcos|"
    r"detr|dfl_loss|fg/bg|loss_cls|hm_loss|wh_loss|off_loss)(?![A-Za-z])",
    re.IGNORECASE,
)
# Language models and text-to-text transformers: model families, tokens, perplexity, trainers
# (whole words: Hugging Face's trainer_state.json counts num_input_tokens_seen for any task).
_LANGUAGE = re.compile(
    r"(?<![A-Za-z_])(?:llama\d?|gpt-?\d?|nanogpt|bert|roberta|distilbert|t5|mt5|bart|qwen[\d.]*|"
    r"chatglm\d?|glm-?\d?|mistral|mixtral|falcon|bloom|baichuan|gemma|phi-?\d|lora|qlora|peft|"
    r"tokeni[sz]er|tokens|tok/s|seq_?len|perplexity|ppl|wps|wpb|lm_loss|nll_loss|deepspeed|"
    r"megatron|fairseq|transformers|nmt|bleu|vocab|sft|llm)(?![A-Za-z_])",
    re.IGNORECASE,
)
_LANGUAGE_TRAINERS = frozenset({"fairseq", "deepspeed", "megatron"})

DOMAINS = {
    "transcription": "speech or text recognition",
    "detection": "object detection",
    "language": "language models",
}


def guess_domain(run: Run, framework: str) -> str | None:
    """The task the log trains (a key of :data:`DOMAINS`), or None when it does not say.

    Transcription comes first (an ASR log names its transformer too), then detection (a
    DETR log does), then language models, which also claim the language trainers' logs.
    """
    text = " ".join([run.hint_text(), *run.series.names])
    if _TRANSCRIPTION.search(text):
        return "transcription"
    if _DETECTION.search(text):
        return "detection"
    if _LANGUAGE.search(text) or framework in _LANGUAGE_TRAINERS:
        return "language"
    return None
