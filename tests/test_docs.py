"""Documentation that runs: docstring examples, README examples, API signatures.

* Every public callable in ``tconv.__all__`` has a docstring with an
  ``Examples`` section, and those examples pass as doctests.
* The core names of the public API contract exist with exactly the parameter
  names, kinds (positional / keyword-only) and defaults it fixes (hard-coded
  below, so a change to a public signature has to change this file too).
* The ``python`` blocks of README.md that contain ``>>>`` run as one doctest
  session, in order (later blocks use names the earlier ones imported).
"""

from __future__ import annotations

import doctest
import inspect
import re
from pathlib import Path

import pytest

import tconv

README = Path(__file__).resolve().parent.parent / "README.md"
FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE

PUBLIC_CALLABLES = sorted(name for name in tconv.__all__ if callable(getattr(tconv, name)))


def _run_doctests(tests: list[doctest.DocTest]) -> tuple[int, int, str]:
    """Run ``tests`` in order, sharing globals; return (attempted, failed, report)."""
    lines: list[str] = []
    runner = doctest.DocTestRunner(optionflags=FLAGS)
    attempted = failed = 0
    globs: dict = {}
    for test in tests:  # one namespace: later README blocks use earlier imports
        test.globs.update(globs)  # (a DocTest holds a copy of the globs it was made with)
        result = runner.run(test, out=lines.append, clear_globs=False)
        globs = test.globs
        attempted, failed = attempted + result.attempted, failed + result.failed
    return attempted, failed, "".join(lines)


# --------------------------------------------------------------------------- docstrings

def test_all_names_exist():
    assert len(set(tconv.__all__)) == len(tconv.__all__)
    for name in tconv.__all__:
        assert hasattr(tconv, name), name


@pytest.mark.parametrize("name", PUBLIC_CALLABLES)
def test_docstring_has_examples(name):
    doc = inspect.getdoc(getattr(tconv, name))
    assert doc, f"tconv.{name} has no docstring"
    assert re.search(r"^Examples\n-+$", doc, flags=re.MULTILINE), (
        f"tconv.{name}'s docstring has no numpydoc 'Examples' section")
    examples = doc.split("Examples", 1)[1]
    assert ">>>" in examples, f"tconv.{name}'s Examples section has no >>> example"


@pytest.mark.parametrize("name", PUBLIC_CALLABLES)
def test_docstring_examples_pass(name):
    obj = getattr(tconv, name)
    finder = doctest.DocTestFinder(recurse=False)
    tests = [t for t in finder.find(obj, f"tconv.{name}", globs={}) if t.examples]
    assert tests, f"no doctest examples found for tconv.{name}"
    attempted, failed, report = _run_doctests(tests)
    assert attempted > 0
    assert failed == 0, report


def test_keras_docstring_examples_pass():
    # tconv.onnx, tconv.torch, tconv.images and tconv.train run theirs in their
    # own test files; tconv.keras's examples are checked here.
    import tconv.keras

    tests = [t for t in doctest.DocTestFinder().find(tconv.keras) if t.examples]
    assert {t.name.rsplit(".", 1)[-1] for t in tests} >= {"conv", "conv_transpose",
                                                          "upsampling"}
    attempted, failed, report = _run_doctests(tests)
    assert attempted > 0 and failed == 0, report


def test_package_docstring():
    assert tconv.__doc__ and tconv.__doc__.strip()


# --------------------------------------------------------------------------- public signatures

E = inspect.Parameter.empty
POS = inspect.Parameter.POSITIONAL_OR_KEYWORD
KW = inspect.Parameter.KEYWORD_ONLY

# (name, kind, default) in order, transcribed from the API contract's core section.
API_SIGNATURES = {
    "conv": [
        ("x", POS, E), ("weight", POS, E), ("bias", POS, None),
        ("stride", KW, 1), ("padding", KW, 0), ("dilation", KW, 1), ("groups", KW, 1),
        ("algorithm", KW, "auto"),
    ],
    "conv_transpose": [
        ("x", POS, E), ("weight", POS, E), ("bias", POS, None),
        ("stride", KW, 1), ("padding", KW, 0), ("output_padding", KW, 0),
        ("dilation", KW, 1), ("groups", KW, 1), ("output_size", KW, None),
        ("algorithm", KW, "auto"),
    ],
    "conv_output_shape": [
        ("input_shape", POS, E), ("kernel_size", POS, E),
        ("stride", KW, 1), ("padding", KW, 0), ("dilation", KW, 1),
    ],
    "conv_transpose_output_shape": [
        ("input_shape", POS, E), ("kernel_size", POS, E),
        ("stride", KW, 1), ("padding", KW, 0), ("output_padding", KW, 0), ("dilation", KW, 1),
    ],
    "conv_matrix": [
        ("input_shape", POS, E), ("weight", POS, E),
        ("stride", KW, 1), ("padding", KW, 0), ("dilation", KW, 1), ("groups", KW, 1),
    ],
}


@pytest.mark.parametrize("name", sorted(API_SIGNATURES))
def test_api_signature(name):
    assert name in tconv.__all__, f"{name} is not exported in tconv.__all__"
    signature = inspect.signature(getattr(tconv, name))
    got = [(p.name, p.kind, p.default) for p in signature.parameters.values()]
    assert got == API_SIGNATURES[name], (
        f"tconv.{name}{signature} differs from the API contract")


# The other functions the API contract fixes, as it writes them (default values
# in Python's repr); checkerboard may add parameters after the fixed ones.
API_TEXT = {
    "interpolate": "(x, size=None, scale_factor=None, mode='nearest', align_corners=None)",
    "bed_of_nails": "(x, scale_factor)",
    "max_pool": ("(x, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, "
                 "return_indices=False)"),
    "max_unpool": "(x, indices, kernel_size, stride=None, padding=0, output_size=None)",
    "pixel_shuffle": "(x, upscale_factor)",
    "pixel_unshuffle": "(x, downscale_factor)",
    "upsampling_kernel": "(mode, factor, *, rank=2)",
    "solve": ("(input_size, output_size, *, layers=1, kernel_size=None, stride=None, "
              "dilation=None, framework='torch', max_results=20)"),
    "checkerboard": ("(kernel_size, stride, *, padding=0, output_padding=0, dilation=1, "
                     "rank=2, layers=1, weight=None"),
    "onnx.conv": ("(X, W, B=None, *, auto_pad='NOTSET', dilations=None, group=1, "
                  "kernel_shape=None, pads=None, strides=None, runtime='spec')"),
    "onnx.conv_transpose": ("(X, W, B=None, *, auto_pad='NOTSET', dilations=None, group=1, "
                            "kernel_shape=None, output_padding=None, output_shape=None, "
                            "pads=None, strides=None, runtime='spec')"),
    "onnx.resize": ("(X, roi=None, scales=None, sizes=None, *, antialias=0, axes=None, "
                    "coordinate_transformation_mode='half_pixel', cubic_coeff_a=-0.75, "
                    "exclude_outside=0, extrapolation_value=0.0, "
                    "keep_aspect_ratio_policy='stretch', mode='nearest', "
                    "nearest_mode='round_prefer_floor', runtime='spec')"),
    "onnx.max_pool": ("(X, *, kernel_shape, auto_pad='NOTSET', ceil_mode=0, dilations=None, "
                      "pads=None, storage_order=0, strides=None, runtime='spec')"),
    "onnx.max_unpool": ("(X, I, output_shape=None, *, kernel_shape, pads=None, strides=None, "
                        "runtime='spec')"),
    "onnx.depth_to_space": "(X, *, blocksize, mode='DCR', runtime='spec')",
    "onnx.space_to_depth": "(X, *, blocksize, mode='DCR', runtime='spec')",
    "keras.conv": ("(x, kernel, bias=None, *, strides=1, padding='valid', dilation_rate=1, "
                   "groups=1, data_format='channels_last')"),
    "keras.conv_transpose": ("(x, kernel, bias=None, *, strides=1, padding='valid', "
                             "output_padding=None, dilation_rate=1, "
                             "data_format='channels_last')"),
    "keras.upsampling": "(x, size=2, interpolation='nearest', data_format='channels_last')",
}


@pytest.mark.parametrize("name", sorted(API_TEXT))
def test_api_signature_text(name):
    import tconv.keras
    import tconv.onnx

    module, _, function = name.rpartition(".")
    owner = getattr(tconv, module) if module else tconv
    if not module:
        assert function in tconv.__all__, f"{function} is not exported in tconv.__all__"
    text = str(inspect.signature(getattr(owner, function)))
    assert text.startswith(API_TEXT[name]), f"tconv.{name}{text} differs from the API contract"
    if name != "checkerboard":
        assert text == API_TEXT[name]


@pytest.mark.parametrize("name, required", [
    ("CONV_ALGORITHMS", ("auto",)),
    ("CONV_TRANSPOSE_ALGORITHMS", ("auto", "scatter", "matrix", "dilate")),
])
def test_algorithm_tuples(name, required):
    assert name in tconv.__all__
    value = getattr(tconv, name)
    assert isinstance(value, tuple)
    assert all(isinstance(v, str) for v in value)
    assert len(set(value)) == len(value)
    for algorithm in required:
        assert algorithm in value


@pytest.mark.parametrize("op, names", [
    ("conv", "CONV_ALGORITHMS"), ("conv_transpose", "CONV_TRANSPOSE_ALGORITHMS")])
def test_every_listed_algorithm_is_accepted(op, names):
    """Each name in the tuples is a valid ``algorithm=`` (tuples of every accepted name)."""
    x, w = [[1.0, 2.0, 3.0]], [[[1.0, 10.0]]]
    results = {a: getattr(tconv, op)(x, w, algorithm=a).tolist()
               for a in getattr(tconv, names)}
    assert len({str(r) for r in results.values()}) == 1, results


# --------------------------------------------------------------------------- README

def _readme_blocks() -> list[tuple[int, str]]:
    """``(line number, code)`` of every ```python block holding a ``>>>`` prompt."""
    if not README.exists():
        return []
    text = README.read_text(encoding="utf-8")
    blocks = []
    for match in re.finditer(r"^```python[ \t]*\n(.*?)^```", text, flags=re.DOTALL | re.MULTILINE):
        code = match.group(1)
        if ">>>" in code:
            blocks.append((text.count("\n", 0, match.start(1)), code))
    return blocks


def test_readme_examples():
    blocks = _readme_blocks()
    if not blocks:
        pytest.skip("README.md has no ```python block with >>> examples")
    parser = doctest.DocTestParser()
    tests = [parser.get_doctest(code, {}, f"README.md:{line + 1}", str(README), line)
             for line, code in blocks]
    attempted, failed, report = _run_doctests(tests)
    assert attempted > 0
    assert failed == 0, report


def test_readme_block_extraction():
    """The extractor finds ```python blocks only, with or without >>>."""
    text = "x\n```python\n>>> 1 + 1\n2\n```\n```bash\n>>> no\n```\n```python\nprint(1)\n```\n"
    found = [m.group(1) for m in re.finditer(r"^```python[ \t]*\n(.*?)^```", text,
                                             flags=re.DOTALL | re.MULTILINE)]
    assert found == [">>> 1 + 1\n2\n", "print(1)\n"]
