"""``tconv tour``: a self-contained page whose numbers are the frameworks' numbers.

The page is written once per module. Its HTML is parsed with the standard
library's ``html.parser``; every reference must be a relative path to a file in
the tour's directory (no network, no scripts or style sheets), and every image
must open with Pillow. The numbers shown in the tables are checked against the
real frameworks (PyTorch, Keras 3 on torch, onnxruntime) or against hand-worked
values (docs/rules/checkerboard.md), never against tconv.
"""

from __future__ import annotations

import contextlib
import io
import os
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlparse

import numpy as np
import pytest

from tconv._tour import SIZES_INPUTS, SIZES_KERNEL, SIZES_STRIDE
from tconv.cli import main

pytest.importorskip("matplotlib")
Image = pytest.importorskip("PIL.Image")
torch = pytest.importorskip("torch")


class Page(HTMLParser):
    """Every tag with its attributes, and every table's rows of cell texts by id."""

    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.tables: dict[str, list[list[str]]] = {}
        self._table = self._cell = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.append((tag, attrs))
        if tag == "table":
            self._table = self.tables.setdefault(attrs.get("id", ""), [])
        elif tag == "tr" and self._table is not None:
            self._table.append([])
        elif tag in ("td", "th") and self._table is not None:
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self._table[-1].append("".join(self._cell).strip())
            self._cell = None
        elif tag == "table":
            self._table = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


@pytest.fixture(scope="module")
def tour(tmp_path_factory):
    """The tour, written once by ``tconv tour -o DIR``: (index path, HTML, parsed)."""
    directory = tmp_path_factory.mktemp("tour") / "tour"  # created; its parent must exist
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = main(["tour", "-o", str(directory)])
    assert status == 0 and err.getvalue() == ""
    index = directory / "index.html"
    count = len([p for p in directory.iterdir() if p.suffix in (".png", ".gif")])
    assert out.getvalue() == f"wrote {index} and {count} pictures beside it; open it in " \
                             "a browser\n"
    text = index.read_text(encoding="utf-8")
    page = Page()
    page.feed(text)
    page.close()
    return index, text, page


def numbers(cell: str) -> list[float]:
    return [float(v) for v in cell.strip("[]").replace(",", " ").split()]


# --------------------------------------------------------------------------- self-contained

def test_index_is_in_the_directory(tour):
    index, text, page = tour
    assert index.name == "index.html" and index.is_file()
    assert text.startswith("<!DOCTYPE html>")
    assert [tag for tag, _ in page.tags].count("h2") == 7


def test_every_reference_is_a_local_file(tour):
    index, text, page = tour
    references = [attrs[key] for _, attrs in page.tags for key in ("src", "href")
                  if key in attrs]
    assert len(references) >= 10
    for reference in references:
        parsed = urlparse(reference)
        assert not parsed.scheme and not parsed.netloc, reference
        assert not reference.startswith("/") and ".." not in Path(reference).parts
        assert (index.parent / reference).is_file(), f"{reference} is not in the tour"
    assert "http" not in text.lower()
    assert "//" not in text  # no protocol-relative URLs either
    for tag, attrs in page.tags:
        assert tag not in ("script", "link", "iframe", "object", "embed"), tag
        assert not any(key.startswith("on") for key in attrs), (tag, attrs)


def test_every_picture_opens_and_is_shown(tour):
    index, _, page = tour
    sources = [attrs["src"] for tag, attrs in page.tags if tag == "img"]
    assert len(sources) == len(set(sources))
    files = sorted(path.name for path in index.parent.iterdir() if path.name != "index.html")
    assert sorted(sources) == files  # nothing unreferenced, nothing missing
    kinds = set()
    for source in sources:
        with Image.open(index.parent / source) as image:
            image.verify()
        with Image.open(index.parent / source) as image:
            kinds.add(image.format)
            assert image.format == {".png": "PNG", ".gif": "GIF"}[Path(source).suffix]
            assert min(image.size) >= 100
            if image.format == "GIF":
                assert image.n_frames > 2
    assert kinds == {"PNG", "GIF"}
    alts = [attrs.get("alt") for tag, attrs in page.tags if tag == "img"]
    assert all(alts)


# --------------------------------------------------------------------------- numbers

def test_encoder_decoder_sizes_match_torch(tour):
    _, _, page = tour
    rows = {row[0].split(" ")[0]: [int(v) for v in row[1].split("\u2192")]
            for row in page.tables["sizes-chain"][1:]}
    x = torch.zeros(1, 1, 64, 64)
    encoder = [64]
    for _ in range(3):
        x = torch.nn.Conv2d(1, 1, 3, stride=2, padding=1)(x)
        encoder.append(x.shape[-1])
    decoder = [x.shape[-1]]
    for _ in range(3):
        x = torch.nn.ConvTranspose2d(1, 1, 4, stride=2, padding=1)(x)
        decoder.append(x.shape[-1])
    assert rows == {"encoder": encoder, "decoder": decoder}


def keras_lengths(padding: str) -> list[int]:
    os.environ.setdefault("KERAS_BACKEND", "torch")
    keras = pytest.importorskip("keras")
    layer = keras.layers.Conv1DTranspose(1, SIZES_KERNEL, strides=SIZES_STRIDE,
                                         padding=padding)
    return [layer.compute_output_shape((1, n, 1))[1] for n in SIZES_INPUTS]


def onnx_lengths() -> list[int]:
    pytest.importorskip("onnx")
    ort = pytest.importorskip("onnxruntime")
    from onnx import TensorProto, helper

    lengths = []
    for n in SIZES_INPUTS:
        node = helper.make_node("ConvTranspose", ["X", "W"], ["Y"], strides=[SIZES_STRIDE],
                                auto_pad="SAME_UPPER")
        graph = helper.make_graph(
            [node], "g", [helper.make_tensor_value_info("X", TensorProto.FLOAT, [1, 1, n]),
                          helper.make_tensor_value_info("W", TensorProto.FLOAT,
                                                        [1, 1, SIZES_KERNEL])],
            [helper.make_tensor_value_info("Y", TensorProto.FLOAT, None)])
        model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 22)])
        model.ir_version = 10
        session = ort.InferenceSession(model.SerializeToString(),
                                       providers=["CPUExecutionProvider"])
        (y,) = session.run(None, {"X": np.ones((1, 1, n), np.float32),
                                  "W": np.ones((1, 1, SIZES_KERNEL), np.float32)})
        lengths.append(y.shape[-1])
    return lengths


def torch_lengths(padding: int, output_padding: int) -> list[int]:
    layer = torch.nn.ConvTranspose1d(1, 1, SIZES_KERNEL, stride=SIZES_STRIDE,
                                     padding=padding, output_padding=output_padding)
    return [layer(torch.zeros(1, 1, n)).shape[-1] for n in SIZES_INPUTS]


def test_sizes_table_matches_the_frameworks(tour):
    _, _, page = tour
    header, *rows = page.tables["sizes"]
    assert header[1:] == [f"input {n}" for n in SIZES_INPUTS]
    shown = {row[0]: [int(v) for v in row[1:]] for row in rows}
    expected = {
        "PyTorch ConvTranspose1d, padding=0": torch_lengths(0, 0),
        "PyTorch ConvTranspose1d, padding=1, output_padding=1": torch_lengths(1, 1),
        # TensorFlow/Keras "same": out = n * stride (docs/rules/keras.md), as Keras says:
        'tconv padding="same"': keras_lengths("same"),
        'Keras Conv1DTranspose, padding="valid"': keras_lengths("valid"),
        'Keras Conv1DTranspose, padding="same"': keras_lengths("same"),
        "ONNX ConvTranspose, auto_pad=SAME_UPPER": onnx_lengths(),
    }
    assert shown == expected
    assert expected['tconv padding="same"'] == [n * SIZES_STRIDE for n in SIZES_INPUTS]


def test_zero_insertion_table_matches_torch(tour):
    _, _, page = tour
    rows = {row[0]: row[1] for row in page.tables["zero-insertion"][1:]}
    expected = torch.nn.functional.conv_transpose1d(
        torch.tensor([[[1.0, 2.0, 3.0]]], dtype=torch.float64),
        torch.tensor([[[1.0, 10.0, 100.0]]], dtype=torch.float64),
        stride=2, padding=1)[0, 0].tolist()
    assert numbers(rows["conv(zero-inserted, flipped kernel)"]) == expected
    assert numbers(rows["conv_transpose(x, w, stride=2, padding=1)"]) == expected
    assert rows["equal"] == "yes"
    assert expected == [10, 102, 20, 203, 30]  # by hand: 1*10, 1*100+2*1, 2*10, ...


def rotations(values: list[float]) -> list[list[float]]:
    return [values[i:] + values[:i] for i in range(len(values))]


def test_checkerboard_table_by_hand(tour):
    _, _, page = tour
    rows = page.tables["checkerboard"][1:]
    shown = {row[0]: (row[1], [float(v) for v in row[2].split()], float(row[3]))
             for row in rows}
    # docs/rules/checkerboard.md: k3 s2 alternates 2/1 (2-D 4/2/2/1: (4-1)/(9/4) = 4/3);
    # k4 s2 is uniform; nearest x2 (coverage 1) then a 3-tap stride-1 conv: 3;
    # two k3 s2 layers: period 4, one period of 1 3 2 3.
    k3, k4, resize, stack = (shown[label] for label in (
        "kernel 3, stride 2", "kernel 4, stride 2",
        "resize-convolution: nearest x2, then a 3x3 stride-1 conv",
        "two kernel 3, stride 2 layers stacked"))
    assert k3[0] == "2x2" and k3[1] in rotations([2.0, 1.0]) and k3[2] == 1.33
    assert k4[0] == "2x2" and k4[1] == [2.0, 2.0] and k4[2] == 0
    assert resize[1] == [3.0, 3.0] and resize[2] == 0
    assert stack[0] == "4x4" and stack[1] in rotations([1.0, 3.0, 2.0, 3.0])
    assert stack[2] > k3[2]


def test_classic_example_numbers(tour):
    _, text, _ = tour
    # Worked by hand: each of 55, 52, 57, 50 times [[1, 2], [2, 1]], summed.
    assert "<code>[[55, 162, 104], [167, 323, 152], [114, 157, 50]]</code>" in text
    assert "(checked: equal)" in text


# --------------------------------------------------------------------------- CLI

def test_cli_refuses_a_file_as_directory(capsys, tmp_path):
    path = tmp_path / "file.txt"
    path.write_text("not a directory")
    status = main(["tour", "-o", str(path)])
    out, err = capsys.readouterr()
    assert status == 2 and out == ""
    assert "--output '" in err and "file.txt' is a file, not a folder" in err


def test_cli_needs_the_output(capsys):
    status = main(["tour"])
    _, err = capsys.readouterr()
    assert status == 2 and "-o/--output" in err


def test_cli_without_matplotlib_names_the_extra(capsys, tmp_path, monkeypatch):
    for name in list(sys.modules):
        if name == "matplotlib" or name.startswith("matplotlib."):
            monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    status = main(["tour", "-o", str(tmp_path / "t")])
    _, err = capsys.readouterr()
    assert status == 1 and "viz" in err
    assert not (tmp_path / "t" / "index.html").exists()


# --------------------------------------------------------------------------- pictures added

def test_gallery_table_matches_torch(tour):
    from tconv._gallery import GALLERY

    _, _, page = tour
    _, *rows = page.tables["gallery"]
    assert [row[0] for row in rows] == [name for name, _, _ in GALLERY]
    for row, (name, n, config) in zip(rows, GALLERY):
        config = dict(config)
        k = config.pop("kernel_size")
        out = torch.nn.functional.conv_transpose2d(
            torch.ones(1, 1, n, n), torch.ones(1, 1, k, k), **config).shape[-1]
        assert row[1:3] == [f"{n}x{n}", f"{out}x{out}"], name
        # Zero insertion pads dilation*(k-1) - padding before, the same plus
        # output_padding after.
        span = config.get("dilation", 1) * (k - 1)
        lo = config.get("padding", 0)
        assert row[3] == str((span - lo, span - lo + config.get("output_padding", 0))), name


def test_stride_two_example_numbers(tour):
    _, text, _ = tour
    y = torch.nn.functional.conv_transpose2d(
        torch.tensor([[[[1.0, 2], [3, 4]]]]), torch.arange(1.0, 10).reshape(1, 1, 3, 3),
        stride=2, padding=1, output_padding=1)[0, 0].int().tolist()
    assert f"<code>{y}</code>" in text
    assert "scatter_stride2.gif" in text


def test_page_points_to_the_explorer(tour):
    _, text, _ = tour
    first = text.split("<h2>")[0]
    assert "<code>tconv explore</code>" in first


def test_existing_tour_is_replaced_only_with_force(tour):
    from tconv._files import OutputError
    from tconv._tour import write_tour

    index, text, _ = tour
    with pytest.raises(OutputError, match="index.html' exists; pass --force"):
        write_tour(index.parent)
    assert index.read_text(encoding="utf-8") == text
