"""Noise lines and re-encodings must not change what is read.

The base logs are the first lines of real sample logs when the corpus has
them; the noise lines are what real consoles interleave (warnings, bars
without metrics, paths, INFO, words containing nan/inf).
"""

from __future__ import annotations

import gzip
import io
import math

from hypothesis import given
from hypothesis import strategies as st

from nanlog.parsing import parse_stream

BASES = {
    "plain": "epoch 1 step 1 loss 0.9000 lr 0.1\nepoch 1 step 2 loss 0.5000 lr 0.1\n"
    "epoch 1 step 3 loss nan lr 0.1\nepoch 1 step 4 loss nan lr 0.1\n",
    "hf_trainer": "{'loss': '1.382', 'grad_norm': '0.2944', 'learning_rate': '0.00095', 'epoch': '0.125'}\n"
    "{'loss': '0', 'grad_norm': 'nan', 'learning_rate': '0.0009', 'epoch': '0.25'}\n",
    "keras": "Epoch 1/2\n1/2 [==>...] - ETA: 0s - loss: 0.7 - acc: 0.5\r2/2 [=====] - 0s 3ms/step - loss: 0.6 - acc: 0.6\n"
    "Epoch 2/2\n1/2 [==>...] - ETA: 0s - loss: nan - acc: 0.1\r2/2 [=====] - 0s 3ms/step - loss: nan - acc: 0.1\n",
    "lightning": "Epoch 0:  50%|█████     | 1/2 [00:00<00:00, 30.00it/s, v_num=0, train_loss_step=0.690]\r"
    "Epoch 0: 100%|██████████| 2/2 [00:00<00:00, 30.00it/s, v_num=0, train_loss_step=nan.0]\n",
}

NOISE = [
    "INFO nanny Infinity-war information",
    "2024-06-11 12:28:01.123: W tensorflow/core/x.cc:12] path /data/inf/nan_run/ckpt.py",
    "\x1b[33mWARNING\x1b[0m: some warning about Infinity",
    "Validation: |          | 0/? [00:00<?, ?it/s]",
    " 45%|████▌     | 45/100 [00:01<00:02, -nan iter/s]",
    "time: 0.25  memory: 9182  data_time: 0.01",
    "",
    "Saving model checkpoint to /tmp/out/checkpoint-inf",
    "GPU available: False (cuda), used: False",
]


def _signature(data: bytes) -> tuple[list[tuple[str, float | str]], int]:
    run = parse_stream(io.BytesIO(data), "t")
    s = run.series
    values = [
        (s.names[s.name_id[i]], "nan" if math.isnan(s.value[i]) else s.value[i])
        for i in range(len(s))
    ]
    first = run.first_nonfinite()
    return values, (first.line if first else -1)


def _with_noise(base: str, inserts: list[tuple[int, int]]) -> tuple[str, dict[int, int]]:
    """Insert noise lines; return the text and a map from old to new line numbers."""
    lines = base.split("\n")
    at = {}
    for position, which in inserts:
        at.setdefault(position % (len(lines)), []).append(NOISE[which % len(NOISE)])
    out, mapping = [], {}
    for number, line in enumerate(lines, 1):
        out.extend(at.get(number - 1, []))
        out.append(line)
        mapping[number] = len(out)
    return "\n".join(out), mapping


@given(
    st.sampled_from(sorted(BASES)),
    st.lists(st.tuples(st.integers(0, 50), st.integers(0, 50)), max_size=8),
)
def test_noise_lines_do_not_change_records(fmt: str, inserts: list[tuple[int, int]]) -> None:
    base = BASES[fmt]
    noisy, mapping = _with_noise(base, inserts)
    values, first_line = _signature(base.encode())
    noisy_values, noisy_first = _signature(noisy.encode())
    assert noisy_values == values
    assert noisy_first == mapping[first_line]


@given(st.sampled_from(sorted(BASES)), st.sampled_from(["crlf", "gzip", "nul", "bom"]))
def test_reencodings_do_not_change_records(fmt: str, how: str) -> None:
    data = BASES[fmt].encode()
    changed = {
        "crlf": data.replace(b"\n", b"\r\n"),
        "gzip": gzip.compress(data),
        "nul": data.replace(b"\n", b"\x00\n"),
        "bom": b"\xef\xbb\xbf" + data,
    }[how]
    assert _signature(changed) == _signature(data)
