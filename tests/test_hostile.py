"""Hostile arguments: every public function refuses them cleanly, naming the parameter.

Each parameter of each public function (core ops, tools, ``tconv.keras``)
is given values an adversarial caller would try: sets and dicts (no order
to read), nested lists, strings, bytes, floats, NaN, bools, huge and negative
ints, arrays and tensors of the wrong shape, array-valued flags, arbitrary
objects. A call may succeed (some values are valid somewhere); otherwise it
must raise ValueError or TypeError whose message names the parameter, never
another exception from deep inside (OverflowError, IndexError, NumPy's
"truth value of an array is ambiguous", ...). Values that could only be
accepted by guessing (sets, dicts, nested lists for flat ones, arrays for
flags) must be refused. Everything runs under a 1 MiB output limit.
"""

from __future__ import annotations

import time
import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import tconv
import tconv.keras
from _cases import scaled

torch = pytest.importorskip("torch")

X4 = np.ones((1, 1, 4, 4))
W3 = np.ones((1, 1, 3, 3))
XK = np.ones((1, 4, 4, 1))  # Keras channels_last
VALUES, INDICES = tconv.max_pool(X4, 2, return_indices=True)

# (function, positional args, keyword args): a valid call each.
CALLS = {
    "conv": (tconv.conv, (X4, W3), {}),
    "conv_transpose": (tconv.conv_transpose, (X4, W3), {}),
    "conv_output_shape": (tconv.conv_output_shape, ((7, 7), 3), {}),
    "conv_transpose_output_shape": (tconv.conv_transpose_output_shape, ((4, 4), 3), {}),
    "conv_matrix": (tconv.conv_matrix, ((1, 4, 4), W3), {}),
    "interpolate": (tconv.interpolate, (X4,), {"scale_factor": 2, "mode": "bilinear"}),
    "bed_of_nails": (tconv.bed_of_nails, (X4, 2), {}),
    "pixel_shuffle": (tconv.pixel_shuffle, (np.ones((1, 4, 2, 2)), 2), {}),
    "pixel_unshuffle": (tconv.pixel_unshuffle, (X4, 2), {}),
    "upsampling_kernel": (tconv.upsampling_kernel, ("bilinear", 2), {}),
    "max_pool": (tconv.max_pool, (X4, 2), {}),
    "max_unpool": (tconv.max_unpool, (VALUES, INDICES, 2), {}),
    "checkerboard": (tconv.checkerboard, (3, 2), {}),
    "solve": (tconv.solve, (7, 14), {}),
    "subpixel_from_transposed": (tconv.subpixel_from_transposed,
                                 (np.ones((1, 1, 4, 4)), 2), {}),
    "transposed_from_subpixel": (tconv.transposed_from_subpixel,
                                 (np.ones((4, 1, 2, 2)), 2), {}),
    "convert_weight": (tconv.convert_weight, (np.ones((1, 2, 3)), "torch", "keras"), {}),
    "keras.conv": (tconv.keras.conv, (XK, np.ones((3, 3, 1, 1))), {}),
    "keras.conv_transpose": (tconv.keras.conv_transpose, (XK, np.ones((3, 3, 1, 1))), {}),
    "keras.upsampling": (tconv.keras.upsampling, (XK, 2), {}),
    "set_max_output_bytes": (tconv.set_max_output_bytes, (), {}),
}

# Parameters given by position in the base call, by name.
POSITIONAL = {
    "conv": ("x", "weight"), "conv_transpose": ("x", "weight"),
    "conv_output_shape": ("input_shape", "kernel_size"),
    "conv_transpose_output_shape": ("input_shape", "kernel_size"),
    "conv_matrix": ("input_shape", "weight"), "interpolate": ("x",),
    "bed_of_nails": ("x", "scale_factor"), "pixel_shuffle": ("x", "upscale_factor"),
    "pixel_unshuffle": ("x", "downscale_factor"), "upsampling_kernel": ("mode", "factor"),
    "max_pool": ("x", "kernel_size"), "max_unpool": ("x", "indices", "kernel_size"),
    "checkerboard": ("kernel_size", "stride"), "solve": ("input_size", "output_size"),
    "subpixel_from_transposed": ("weight", "stride"),
    "transposed_from_subpixel": ("weight", "upscale_factor"),
    "convert_weight": ("weight", "source", "target"),
    "keras.conv": ("x", "kernel"), "keras.conv_transpose": ("x", "kernel"),
    "keras.upsampling": ("x", "size"),
}

# Parameters to attack per call (every parameter but the array data).
ATTACKED = {
    "conv": ("stride", "padding", "dilation", "groups", "algorithm", "bias"),
    "conv_transpose": ("stride", "padding", "output_padding", "dilation", "groups",
                       "output_size", "algorithm", "bias"),
    "conv_output_shape": ("input_shape", "kernel_size", "stride", "padding", "dilation"),
    "conv_transpose_output_shape": ("input_shape", "kernel_size", "stride", "padding",
                                    "output_padding", "dilation"),
    "conv_matrix": ("input_shape", "stride", "padding", "dilation", "groups"),
    "interpolate": ("size", "scale_factor", "mode", "align_corners"),
    "bed_of_nails": ("scale_factor",),
    "pixel_shuffle": ("upscale_factor",),
    "pixel_unshuffle": ("downscale_factor",),
    "upsampling_kernel": ("mode", "factor", "rank"),
    "max_pool": ("kernel_size", "stride", "padding", "dilation", "ceil_mode",
                 "return_indices"),
    "max_unpool": ("kernel_size", "stride", "padding", "output_size"),
    "checkerboard": ("kernel_size", "stride", "padding", "output_padding", "dilation", "rank",
                     "layers"),
    "solve": ("input_size", "output_size", "layers", "kernel_size", "stride", "dilation",
              "framework", "max_results"),
    "subpixel_from_transposed": ("stride", "padding", "output_padding", "dilation", "groups"),
    "transposed_from_subpixel": ("upscale_factor", "padding", "crop", "groups", "kernel_size"),
    "convert_weight": ("source", "target", "op", "groups"),
    "keras.conv": ("strides", "padding", "dilation_rate", "groups", "data_format"),
    "keras.conv_transpose": ("strides", "padding", "output_padding", "dilation_rate",
                             "data_format"),
    "keras.upsampling": ("size", "interpolation", "data_format"),
    "set_max_output_bytes": ("limit",),
}

FLAGS = {"align_corners", "ceil_mode", "return_indices"}

# Values that may only be refused: reading them at all would be a guess.
GUESSES = [
    {3: "a", 0: "b"}, {2, 3}, frozenset({2}), {"a": 1}, [[2, 2]], [[[1]]],
    np.array(True), np.array([True, False]), np.array([[2, 2]]),
    torch.tensor(True), torch.tensor([[2, 2]]),
]
OTHERS = [
    "abc", b"ab", 2.5, float("nan"), float("inf"), -1, 0, True, False,
    10**20, -10**20, 2**40, (), [], (1, 2, 3, 4), None, np.float64(2.0), complex(1, 2),
    object(), np.array([2, 2]), torch.tensor([2, 2]), np.int64(2), "same", "valid",
]


def _call(name, parameter, value):
    function, args, kwargs = CALLS[name]
    args, kwargs = list(args), dict(kwargs)
    positional = POSITIONAL.get(name, ())
    if parameter in positional:
        args[positional.index(parameter)] = value
    else:
        kwargs[parameter] = value
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        with tconv.max_output_bytes(1 << 20):
            previous = tconv.get_max_output_bytes()
            try:
                return function(*args, **kwargs)
            finally:
                if name == "set_max_output_bytes":
                    tconv.set_max_output_bytes(previous)


CASES = [(name, parameter) for name, parameters in ATTACKED.items()
         for parameter in parameters]


@pytest.mark.parametrize(("name", "parameter"), CASES)
def test_guesses_are_refused_naming_the_parameter(name, parameter):
    for value in GUESSES:
        if parameter == "bias" and getattr(value, "ndim", None) == 1:
            continue  # a 1-D bias of the wrong length: checked by test_errors
        with pytest.raises((ValueError, TypeError)) as caught:
            _call(name, parameter, value)
        assert parameter in str(caught.value), f"{name}({parameter}={value!r}): {caught.value}"


@scaled(1.0)
@given(st.sampled_from(CASES), st.sampled_from(OTHERS))
def test_hostile_values_are_refused_cleanly_or_accepted(case, value):
    name, parameter = case
    try:
        _call(name, parameter, value)
    except (ValueError, TypeError) as error:
        assert parameter in str(error), (
            f"{name}({parameter}={value!r}): {type(error).__name__}: {error}")


@pytest.mark.parametrize("flag", sorted(FLAGS))
@pytest.mark.parametrize("value", [np.array(True), np.array([True]), torch.tensor(True),
                                   1, "yes", None])
def test_flags_must_be_bools(flag, value):
    name = "interpolate" if flag == "align_corners" else "max_pool"
    if flag == "align_corners" and value is None:
        return  # None is align_corners' documented default
    if value is None:
        value = 0.0
    with pytest.raises(TypeError, match=flag):
        _call(name, flag, value)


def test_misspelt_keywords_name_the_nearest_parameter():
    for name, (function, args, kwargs) in CALLS.items():
        for parameter in ATTACKED[name]:
            if parameter in POSITIONAL.get(name, ()):
                continue
            wrong = parameter + "s" if not parameter.endswith("s") else parameter[:-1]
            with pytest.raises(TypeError, match=f"did you mean '{parameter}'"):
                function(*args, **{**kwargs, wrong: 1})


@scaled(0.5)
@given(st.sampled_from(CASES),
       st.one_of(st.integers(10**4, 2**40 - 1),
                 st.tuples(st.integers(10**4, 2**40 - 1), st.integers(1, 2**40 - 1)),
                 st.floats(1e4, 1e15)))
def test_huge_values_are_refused_at_once_or_cheap(case, value):
    """A huge size, stride, factor or count: refused naming the parameter before
    any work (the 1 MiB output limit holds), or a cheap valid answer."""
    name, parameter = case
    start = time.perf_counter()
    try:
        _call(name, parameter, value)
    except (ValueError, TypeError) as error:
        assert parameter in str(error), (
            f"{name}({parameter}={value!r}): {type(error).__name__}: {error}")
    assert time.perf_counter() - start < 3, f"{name}({parameter}={value!r}) was slow"


def _public_functions():
    """Public functions with keyword parameters and no ``**kwargs`` (``translate``
    takes its layer's parameters as keywords and names misspelt ones itself:
    tests/test_translate.py)."""
    import inspect

    import tconv.keras
    import tconv.onnx

    for module in (tconv, tconv.onnx, tconv.keras):
        for name in getattr(module, "__all__", dir(module)):
            value = getattr(module, name)
            if not inspect.isfunction(value) or name.startswith("_"):
                continue
            kinds = [p.kind for p in inspect.signature(value).parameters.values()]
            if inspect.Parameter.VAR_KEYWORD in kinds:
                continue
            if {inspect.Parameter.KEYWORD_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD} & set(
                    kinds):
                yield f"{module.__name__}.{name}", value


@pytest.mark.parametrize(("name", "function"), list(_public_functions()))
def test_every_public_function_names_a_misspelt_keyword(name, function):
    """Every public function with keyword parameters suggests the nearest one."""
    import inspect

    parameters = [p for p in inspect.signature(function).parameters.values()
                  if p.kind in (p.KEYWORD_ONLY, p.POSITIONAL_OR_KEYWORD)]
    target = max(parameters, key=lambda p: len(p.name)).name
    with pytest.raises(TypeError, match=f"did you mean '{target}'"):
        function(**{target + "x": 1})
