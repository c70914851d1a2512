"""The input layer: compression, encodings, control bytes, redraws, directories.

The small logs here are hand-written, each to pin one byte-level edge case.
"""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
from pathlib import Path

import pytest

from nanlog.errors import NanlogError
from nanlog.io import Source, TextReader, clean, resolve_inputs
from nanlog.parsing import parse, parse_stream

LOG = "Epoch 1\nstep 1 loss 0.9000 lr 0.1\nstep 2 loss 0.5000 lr 0.1\nstep 3 loss nan lr 0.1\n"


def _summary(data: bytes) -> list[tuple[int, str, float]]:
    run = parse_stream(io.BytesIO(data), "t")
    s = run.series
    return [(s.line[i], s.names[s.name_id[i]], s.value[i]) for i in range(len(s))]


def _first(data: bytes) -> tuple[int, str]:
    first = parse_stream(io.BytesIO(data), "t").first_nonfinite()
    assert first is not None
    return first.line, first.metric


CLEAN = LOG.encode()


@pytest.mark.parametrize("compress", [gzip.compress, bz2.compress, lzma.compress])
def test_compressed_input_reads_like_plain(compress: object) -> None:
    assert _first(compress(CLEAN)) == _first(CLEAN) == (4, "loss")  # type: ignore[operator]


def test_truncated_gzip_keeps_what_was_read() -> None:
    lines = "".join(f"step {i} loss {1 / (i + 1):.6f} lr {i * 0.37:.4f}\n" for i in range(20000))
    data = gzip.compress(lines.encode())
    run = parse_stream(io.BytesIO(data[: len(data) // 2]), "t")
    assert run.records > 0


@pytest.mark.parametrize(
    "variant",
    [
        CLEAN.replace(b"\n", b"\r\n"),
        CLEAN.replace(b"loss", b"lo\x00ss".replace(b"\x00", b"")).replace(b"lr", b"\x00lr"),
        CLEAN.replace(b"step 2", b"\xff\xfe step 2"),
        CLEAN.replace(b"loss", b"\x1b[1mloss\x1b[0m"),
        CLEAN.rstrip(b"\n"),
    ],
    ids=["crlf", "nul", "invalid-utf8", "ansi", "no-final-newline"],
)
def test_byte_level_noise_keeps_first_nonfinite(variant: bytes) -> None:
    assert _first(variant) == (4, "loss")


def test_gbk_chinese_log() -> None:
    text = "".join(
        f"第1轮 步数 {i} 损失: {v} 学习率: 0.001\n" for i, v in enumerate(["0.9", "0.7", "nan"], 1)
    )
    data = ("训练开始，数据集加载完毕。\n" * 5 + text).encode("gbk")
    run = parse_stream(io.BytesIO(data), "t")
    assert run.encoding in ("gb18030", "gbk", "gb2312")
    first = run.first_nonfinite()
    assert first is not None and (first.line, first.metric, first.step) == (8, "loss", 3)


def test_backspace_redraws_are_removed() -> None:
    assert clean("10/20 [==>...]\b\b\b\b\b\b\b\b\r 11/20") == "10/20 [==>...]\r 11/20"


def test_carriage_return_segments_share_the_line_number() -> None:
    data = b"start\nstep 1 loss 0.5\rstep 2 loss 0.4\rstep 3 loss nan\nend\n"
    rows = _summary(data)
    assert [r[0] for r in rows] == [2, 2, 2]
    assert _first(data) == (2, "loss")


def test_chunk_boundaries_do_not_change_records() -> None:
    data = b"".join(f"step {i} loss {i / 7:.5f}\r\n".encode() for i in range(5000))
    whole = TextReader(io.BytesIO(data), "t")
    small = TextReader(io.BytesIO(data), "t", chunk_bytes=997)
    assert "".join(c.text for c in whole.chunks()) == "".join(c.text for c in small.chunks())


def test_directory_gives_log_like_files(tmp_path: Path) -> None:
    version = tmp_path / "lightning_logs" / "version_0"
    version.mkdir(parents=True)
    (version / "metrics.csv").write_text("epoch,step,train_loss\n0,0,0.5\n")
    (version / "hparams.yaml").write_text("lr: 0.1\n")
    (tmp_path / "train.log").write_text(LOG)
    (tmp_path / ".hidden.log").write_text(LOG)
    names = [Path(s.name).name for s in resolve_inputs([str(tmp_path)])]
    assert names == ["metrics.csv", "train.log"]


def test_empty_directory_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(NanlogError, match="no log files"):
        resolve_inputs([str(tmp_path)])


def test_missing_file_is_an_error() -> None:
    with pytest.raises(NanlogError, match="no such file"):
        parse("/nonexistent/train.log")


def test_input_file_is_not_modified(tmp_path: Path) -> None:
    path = tmp_path / "train.log"
    path.write_bytes(CLEAN)
    before = path.stat()
    parse(path)
    after = path.stat()
    assert path.read_bytes() == CLEAN
    assert (before.st_mtime_ns, before.st_size, before.st_mode) == (
        after.st_mtime_ns,
        after.st_size,
        after.st_mode,
    )


def test_stdin_source_is_named_dash() -> None:
    assert Source("-", None).is_stdin


def test_unreadable_file_is_one_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Root reads every file, so the permission error is simulated at open()."""
    import nanlog.io

    def denied(*args: object, **kwargs: object) -> object:
        raise PermissionError(13, "Permission denied")

    path = tmp_path / "train.log"
    path.write_text(LOG)
    monkeypatch.setattr(nanlog.io, "open", denied, raising=False)
    with pytest.raises(NanlogError, match="permission denied"):
        parse(path)
