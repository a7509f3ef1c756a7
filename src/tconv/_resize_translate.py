"""Resize flags of PyTorch, JAX and TensorFlow/Keras as ONNX ``Resize`` attributes, and back.

One table (docs/rules/onnx.md, every row checked numerically in
``tests/test_resize_translate.py``) read in both directions:
:func:`resize_to_onnx` looks a framework setting up; :func:`resize_from_onnx`
tries every setting of the framework and returns the one whose attributes
equal the given ones, or says there is none and names the closest.
"""

from __future__ import annotations

import numpy as np

from . import _args, _resize

FRAMEWORKS = ("torch", "jax", "tf", "keras")

# Per framework: its mode names, and which of them are the same ONNX kernel.
TORCH_MODES = ("nearest", "nearest-exact", "linear", "bilinear", "bicubic", "trilinear",
               "area")
JAX_MODES = ("nearest", "linear", "bilinear", "trilinear", "cubic", "bicubic", "tricubic",
             "lanczos3", "lanczos5")
TF_MODES = ("nearest", "bilinear", "bicubic", "lanczos3", "lanczos5", "area", "gaussian",
            "mitchellcubic")
_MODES = {"torch": TORCH_MODES, "jax": JAX_MODES, "tf": TF_MODES, "keras": TF_MODES}
_LINEAR = {"linear", "bilinear", "trilinear"}
_CUBIC = {"cubic", "bicubic", "tricubic"}

# ONNX's defaults: an attribute left out of a dict means this value.
ONNX_DEFAULTS = {"mode": "nearest", "coordinate_transformation_mode": "half_pixel",
                 "nearest_mode": "round_prefer_floor", "cubic_coeff_a": -0.75,
                 "exclude_outside": 0, "antialias": 0}


def _no_equivalent(op: str, framework: str, mode: str, why: str):
    message = f"{op}: {framework} mode {mode!r} has no exact ONNX Resize equivalent: {why}"
    return ValueError(message)


def _half_pixel(kernel: str, **extra) -> dict:
    return {"mode": kernel, "coordinate_transformation_mode": "half_pixel", **extra}


@_args.keywords
def resize_to_onnx(framework: str, mode: str, *, align_corners: bool | None = None,
                   antialias: bool = False) -> dict:
    """The ONNX ``Resize`` attributes that compute what a framework's resize computes.

    Parameters
    ----------
    framework : {"torch", "jax", "tf", "keras"}
        ``"torch"``: ``torch.nn.functional.interpolate``; ``"jax"``:
        ``jax.image.resize``; ``"tf"`` and ``"keras"``: ``tf.image.resize``
        and ``keras.ops.image.resize`` / ``keras.layers.UpSampling2D`` with
        TensorFlow's definitions (Keras's jax and tensorflow backends; the
        torch backend's bicubic without antialias is torch's, see Notes).
    mode : str
        The framework's mode or method name: torch ``"nearest"``,
        ``"nearest-exact"``, ``"linear"``, ``"bilinear"``, ``"bicubic"``,
        ``"trilinear"`` (``"area"`` is refused); jax ``"nearest"``,
        ``"linear"`` (``"bilinear"``, ``"trilinear"``), ``"cubic"``
        (``"bicubic"``, ``"tricubic"``); tf/keras ``"nearest"``,
        ``"bilinear"``, ``"bicubic"``.
    align_corners : bool, optional
        torch only, for the linear and cubic modes (``None`` means False).
    antialias : bool
        The framework's ``antialias`` flag. jax's ``jax.image.resize``
        defaults to True; pass what the call uses. Ignored by the nearest
        modes of jax and tf/keras (as they ignore it); an error for torch
        nearest modes (torch refuses it).

    Returns
    -------
    dict
        ``mode`` and ``coordinate_transformation_mode``, with
        ``nearest_mode`` (nearest) or ``cubic_coeff_a`` and
        ``exclude_outside`` (cubic) and ``antialias`` (linear and cubic):
        keyword arguments for :func:`tconv.onnx.resize`.

    Raises
    ------
    ValueError
        An unknown framework or mode, align_corners outside torch's linear
        and cubic modes, or a setting without an exact ONNX equivalent (torch
        ``"area"``, torch antialias with align_corners, lanczos, ...): the
        message says why and what comes closest.

    Notes
    -----
    The same mapping holds for ``sizes`` and, for torch's ``scale_factor``
    without ``recompute_scale_factor``, for ``scales`` (the same mapping
    scale; the floored output length can differ, docs/rules/onnx.md).
    ``antialias`` matters only when down-sampling, except torch bicubic,
    whose antialiased kernel is a different one (a = -0.5, outside taps
    dropped) at every scale. Keras on the torch backend runs torch's
    bicubic (a = -0.75) when ``antialias`` is False: that is
    ``resize_to_onnx("torch", "bicubic")``.

    Examples
    --------
    >>> import tconv
    >>> tconv.resize_to_onnx("torch", "nearest")
    {'mode': 'nearest', 'coordinate_transformation_mode': 'asymmetric', 'nearest_mode': 'floor'}
    >>> tconv.resize_to_onnx("torch", "bilinear", align_corners=True)
    {'mode': 'linear', 'coordinate_transformation_mode': 'align_corners', 'antialias': 0}
    >>> tconv.resize_to_onnx("jax", "cubic", antialias=False)
    {'mode': 'cubic', 'coordinate_transformation_mode': 'half_pixel', 'cubic_coeff_a': -0.5, \
'exclude_outside': 1, 'antialias': 0}
    """
    op = "resize_to_onnx"
    framework = _args.choice(op, "framework", framework, FRAMEWORKS)
    mode = _args.choice(op, "mode", mode, _MODES[framework])
    if align_corners is not None and not isinstance(align_corners, (bool, np.bool_)):
        message = f"{op}: align_corners={align_corners!r} must be None, True or False"
        raise TypeError(message)
    if not isinstance(antialias, (bool, np.bool_)):
        message = f"{op}: antialias={antialias!r} must be True or False"
        raise TypeError(message)
    antialias = bool(antialias)
    if framework != "torch" and align_corners is not None:
        message = (f"{op}: align_corners={align_corners!r} is a torch flag; {framework} has "
                   "none (its resize uses half-pixel centres): leave it None")
        raise ValueError(message)
    if framework == "torch":
        return _torch_to_onnx(op, mode, bool(align_corners), align_corners is not None,
                              antialias)
    if mode.startswith("lanczos"):
        raise _no_equivalent(op, framework, mode, "ONNX Resize has no Lanczos kernel; the "
                             "closest is mode='cubic' with cubic_coeff_a=-0.5, "
                             "exclude_outside=1")
    if mode in ("area", "gaussian", "mitchellcubic"):
        raise _no_equivalent(op, framework, mode, "ONNX Resize has no such kernel; for "
                             "'area' down-sampling by an integer factor use ONNX "
                             "AveragePool (kernel = stride = factor)")
    if mode == "nearest":
        return _half_pixel("nearest", nearest_mode="round_prefer_ceil")
    flag = int(antialias)
    if mode in _LINEAR:
        return _half_pixel("linear", **({"exclude_outside": 1} if flag else {}),
                           antialias=flag)
    return _half_pixel("cubic", cubic_coeff_a=-0.5, exclude_outside=1, antialias=flag)


def _torch_to_onnx(op: str, mode: str, align_corners: bool, given: bool,
                   antialias: bool) -> dict:
    if mode == "area":
        raise _no_equivalent(op, "torch", mode, "'area' is adaptive average pooling. Exact "
                             "recipes: up-sampling by an integer factor equals torch "
                             "'nearest' (ONNX nearest, asymmetric, floor); down-sampling by "
                             "an integer factor equals ONNX AveragePool with kernel = "
                             "stride = factor")
    if mode.startswith("nearest"):
        if given:
            message = (f"{op}: align_corners={align_corners!r} is not allowed with torch "
                       f"mode {mode!r} (torch raises ValueError); leave it None")
            raise ValueError(message)
        if antialias:
            message = (f"{op}: antialias=True is not allowed with torch mode {mode!r} "
                       "(torch supports it for bilinear and bicubic only)")
            raise ValueError(message)
        if mode == "nearest":
            return {"mode": "nearest", "coordinate_transformation_mode": "asymmetric",
                    "nearest_mode": "floor"}
        return _half_pixel("nearest", nearest_mode="round_prefer_ceil")
    coordinate = "align_corners" if align_corners else "half_pixel"
    if antialias and align_corners:
        raise _no_equivalent(op, "torch", mode, "antialias=True with align_corners=True "
                             "(up to 0.3 off); the closest is antialias=1, exclude_outside=1 "
                             "with coordinate_transformation_mode='align_corners'")
    if antialias and mode not in ("bilinear", "bicubic"):
        message = (f"{op}: antialias=True is not allowed with torch mode {mode!r} (torch "
                   "supports it for bilinear and bicubic only)")
        raise ValueError(message)
    if mode in _LINEAR:
        extra = {"exclude_outside": 1, "antialias": 1} if antialias else {"antialias": 0}
        return {"mode": "linear", "coordinate_transformation_mode": coordinate, **extra}
    if antialias:  # torch's antialiased bicubic is Keys a=-0.5 without outside taps
        return _half_pixel("cubic", cubic_coeff_a=-0.5, exclude_outside=1, antialias=1)
    return {"mode": "cubic", "coordinate_transformation_mode": coordinate,
            "cubic_coeff_a": -0.75, "exclude_outside": 0, "antialias": 0}


# ------------------------------------------------------------------------ reverse


def _normalised(op: str, attributes) -> dict:
    """The attributes that decide the result, defaults filled in, irrelevant ones dropped."""
    if not isinstance(attributes, dict):
        message = f"{op}: attributes={attributes!r} must be a dict of ONNX Resize attributes"
        raise TypeError(message)
    unknown = set(attributes) - set(ONNX_DEFAULTS) - {"axes", "extrapolation_value",
                                                        "keep_aspect_ratio_policy"}
    if unknown:
        message = (f"{op}: attributes has unknown keys {sorted(unknown)}; known: "
                   f"{sorted(ONNX_DEFAULTS)}")
        raise ValueError(message)
    values = {**ONNX_DEFAULTS, **attributes}
    for name in ("mode", "coordinate_transformation_mode", "nearest_mode"):
        if isinstance(values[name], bytes):
            values[name] = values[name].decode("ascii", errors="replace")
    _args.choice(op, "mode", values["mode"], _resize.MODES)
    _args.choice(op, "coordinate_transformation_mode",
                 values["coordinate_transformation_mode"], _resize.COORDINATE_MODES)
    _args.choice(op, "nearest_mode", values["nearest_mode"], _resize.NEAREST_MODES)
    kernel = values["mode"]
    result = {"mode": kernel,
              "coordinate_transformation_mode": values["coordinate_transformation_mode"]}
    if kernel == "nearest":
        result["nearest_mode"] = values["nearest_mode"]
        return result
    result["antialias"] = int(values["antialias"])
    if kernel == "cubic":
        result["cubic_coeff_a"] = float(values["cubic_coeff_a"])
    if kernel == "cubic" or result["antialias"]:
        # linear without antialias reads the edge either way (docs/rules/onnx.md)
        result["exclude_outside"] = int(values["exclude_outside"])
    return result


def _candidates(framework: str, rank: int):
    """Every (flags, ONNX attributes) pair the framework can express."""
    if framework == "torch":
        linear = {1: "linear", 2: "bilinear", 3: "trilinear"}[rank]
        settings = [{"mode": "nearest"}, {"mode": "nearest-exact"}]
        for mode in (linear, "bicubic") if rank == 2 else (linear,):
            for align_corners in (False, True):
                for antialias in (False, True):
                    if antialias and (align_corners or rank != 2):
                        continue
                    settings.append({"mode": mode, "align_corners": align_corners,
                                     "antialias": antialias})
        for flags in settings:
            options = {k: v for k, v in flags.items() if k != "mode"}
            yield flags, resize_to_onnx("torch", flags["mode"], **options)
        return
    key = "method" if framework == "jax" else "interpolation"
    names = (("nearest", "linear", "cubic") if framework == "jax"
             else ("nearest", "bilinear", "bicubic"))
    for name in names:
        for antialias in (False, True):
            if name == "nearest" and antialias:
                continue
            yield ({key: name, "antialias": antialias},
                   resize_to_onnx(framework, name, antialias=antialias))


@_args.keywords
def resize_from_onnx(attributes: dict, framework: str, *, rank: int = 2) -> dict:
    """The framework flags that compute what these ONNX ``Resize`` attributes compute.

    Parameters
    ----------
    attributes : dict
        ONNX Resize attributes (missing ones take ONNX's defaults; ``axes``,
        ``extrapolation_value`` and ``keep_aspect_ratio_policy`` are accepted
        and do not take part).
    framework : {"torch", "jax", "tf", "keras"}
    rank : int
        Spatial rank, for torch's mode name (``"linear"``, ``"bilinear"``,
        ``"trilinear"``; bicubic and antialias need 2).

    Returns
    -------
    dict
        torch: ``mode``, and ``align_corners`` and ``antialias`` for the
        linear and cubic modes (``torch.nn.functional.interpolate``
        keywords); jax: ``method`` and ``antialias`` (``jax.image.resize``);
        tf/keras: ``interpolation`` and ``antialias``
        (``keras.ops.image.resize``).

    Raises
    ------
    ValueError
        No setting of the framework computes the same thing: the message
        names the closest setting and the attributes in which it differs.

    Examples
    --------
    >>> import tconv
    >>> tconv.resize_from_onnx({"mode": "linear", "coordinate_transformation_mode":
    ...                         "align_corners"}, "torch")
    {'mode': 'bilinear', 'align_corners': True, 'antialias': False}
    >>> tconv.resize_from_onnx({"mode": "nearest", "nearest_mode": "round_prefer_ceil"},
    ...                        "jax")
    {'method': 'nearest', 'antialias': False}
    >>> tconv.resize_from_onnx({"mode": "nearest"}, "torch")
    Traceback (most recent call last):
    ...
    ValueError: resize_from_onnx: no torch setting equals {'mode': 'nearest', \
'coordinate_transformation_mode': 'half_pixel', 'nearest_mode': 'round_prefer_floor'}; \
the closest is {'mode': 'nearest-exact'}, which differs in nearest_mode \
(round_prefer_ceil: ties go up)
    """
    op = "resize_from_onnx"
    framework = _args.choice(op, "framework", framework, FRAMEWORKS)
    rank = _args.spatial_rank(op, rank)
    wanted = _normalised(op, attributes)
    best, best_diff = None, None
    for flags, onnx_attributes in _candidates(framework, rank):
        have = _normalised(op, onnx_attributes)
        diff = sorted(k for k in set(wanted) | set(have) if wanted.get(k) != have.get(k))
        if not diff:
            return flags
        if best_diff is None or len(diff) < len(best_diff):
            best, best_diff = (flags, have), diff
    flags, have = best
    notes = ", ".join(f"{k} ({have.get(k)}{_WHY.get((k, have.get(k)), '')})"
                      for k in best_diff)
    message = (f"{op}: no {framework} setting equals {wanted}; the closest is {flags}, "
               f"which differs in {notes}")
    if wanted["coordinate_transformation_mode"] == "pytorch_half_pixel":
        message += ("; pytorch_half_pixel equals half_pixel except for an output of "
                    "length 1, where it reads 0 and PyTorch reads the centre")
    raise ValueError(message)


_WHY = {("nearest_mode", "round_prefer_ceil"): ": ties go up",
        ("nearest_mode", "floor"): ": always down",
        ("coordinate_transformation_mode", "half_pixel"): ": pixel centres",
        ("exclude_outside", 1): ": outside taps dropped"}
