"""Import layers: a lower layer never imports a higher one.

Every module under ``src/tconv`` is read with :mod:`ast` (nothing is
imported), each ``import``/``from ... import`` naming a tconv module is
resolved to that module, and the edge is checked against ``LAYERS``. Imports
inside functions count too: a lazy import still ties the lower module to the
higher one, it only hides the cycle from the interpreter.

The layers, lowest first, follow the architecture of the style guide
(geometry and checks, array helpers, algorithms, front doors, adapters and
tools, the public package, then the command line, the explorer and the
training demos). Imports within one layer are allowed.

To update: when a module is added or moved, add its name prefix to
``LAYERS`` (``"tconv._geometry"`` covers the module and a package of that
name with everything in it; a trailing ``*`` matches any name that starts with
the text, so ``"tconv._cli*"`` covers ``_cli_flags`` and ``_cli_train``). A
root ``"tconv"`` matches only the package's own ``__init__``. A
module that matches no prefix fails ``test_every_module_has_a_layer``.
Known violations are listed in ``ALLOWED`` with the reason; remove an entry
when it is fixed (``test_allowed_violations_still_exist`` says when).
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from functools import cache
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"
PACKAGE = SRC / "tconv"

# (layer name, name prefixes), lowest layer first.
LAYERS: list[tuple[str, tuple[str, ...]]] = [
    # Stdlib-only helpers: argument checks and messages, safe file writes.
    # _geometry uses _args's checks (issue 14 moves the shared checks there),
    # so _args sits below geometry rather than beside _xp.
    ("checks", ("tconv._args", "tconv._files", "tconv._limits")),
    # Every integer rule: plans, pads, lengths; pure ints, stdlib only.
    ("geometry", ("tconv._geometry",)),
    # Array namespace lookup, dtype rule, device-aware helpers.
    ("arrays", ("tconv._xp", "tconv._cubic")),
    # f(x, weight, plan, xp) -> array, and ONNX Resize's index/weight engine.
    # _lean: the remembered plan and native call of a checked front-door call.
    ("algorithms", ("tconv._algorithms", "tconv._delegat*", "tconv._lean", "tconv._resize")),
    # One front door per public op.
    ("front doors", ("tconv._conv", "tconv._matrix", "tconv._upsample", "tconv._interpolate",
                     "tconv._pool", "tconv._subpixel")),
    # Convention adapters, translators, explanations and pictures.
    ("adapters and tools", ("tconv.onnx", "tconv.keras", "tconv.torch", "tconv._translate",
                            "tconv._resize_translate", "tconv._solve", "tconv._explain",
                            "tconv._checkerboard", "tconv._draw*", "tconv._tour", "tconv.images",
                            "tconv._fonts", "tconv._gallery")),
    # The public namespace (tconv/__init__.py): names only.
    ("public package", ("tconv",)),
    # Programs on top of the public API.
    ("programs", ("tconv.cli", "tconv._cli*", "tconv.__main__", "tconv.explore", "tconv.train")),
]

# (importer, imported): known violations that remain, with the reason.
ALLOWED: dict[tuple[str, str], str] = {
    ("tconv.images", "tconv"):
        "images takes bed_of_nails, conv_transpose, interpolate and upsampling_kernel from "
        "the public package instead of their front-door modules",
}


def _module_name(path: Path) -> str:
    parts = path.relative_to(SRC).with_suffix("").parts
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


MODULES = {_module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def _is_package(name: str) -> bool:
    return MODULES.get(name, Path()).name == "__init__.py"


def _resolve(name: str) -> str:
    """The tconv module an import of ``name`` loads (an attribute -> its module)."""
    while name not in MODULES and "." in name:
        name = name.rsplit(".", 1)[0]
    return name


@cache
def imports_of(name: str) -> frozenset[str]:
    """The tconv modules that module ``name`` imports, anywhere in its body."""
    tree = ast.parse(MODULES[name].read_text(encoding="utf-8"), filename=str(MODULES[name]))
    package = name if _is_package(name) else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            targets = [f"{module}.{alias.name}" for alias in node.names]
        else:
            continue
        found.update(_resolve(t) for t in targets if t.split(".")[0] == "tconv")
    found.discard(name)
    return frozenset(found)


def layer_of(name: str) -> int | None:
    """Index in ``LAYERS`` of the longest prefix matching ``name``; None if none does."""
    best, best_length = None, -1
    for index, (_, prefixes) in enumerate(LAYERS):
        for prefix in prefixes:
            if prefix == "tconv":
                matches = name == prefix  # the package itself, not everything below it
            elif prefix.endswith("*"):
                matches = name.startswith(prefix[:-1])
            else:
                matches = name == prefix or name.startswith(prefix + ".")
            if matches and len(prefix) > best_length:
                best, best_length = index, len(prefix)
    return best


def violations() -> dict[tuple[str, str], str]:
    found = {}
    for name in MODULES:
        low = layer_of(name)
        for target in imports_of(name):
            high = layer_of(target)
            if low is not None and high is not None and high > low:
                found[(name, target)] = f"{LAYERS[low][0]} imports {LAYERS[high][0]}"
    return found


def test_the_import_reader_sees_known_edges() -> None:
    # Hand-checked against the sources: relative, absolute, attribute and lazy imports.
    assert "tconv._args" in imports_of("tconv._geometry.conv")  # from . import _args
    assert "tconv._geometry" in imports_of("tconv._algorithms.dilate")  # from .._geometry import
    assert "tconv._algorithms.direct" in imports_of("tconv._algorithms")  # package __init__
    assert "tconv._files" in imports_of("tconv.images")  # lazy, inside a function
    assert layer_of("tconv._geometry.keras") == layer_of("tconv._geometry")
    assert layer_of("tconv.cli.explain") == layer_of("tconv._cli_flags") == len(LAYERS) - 1
    assert layer_of("tconv") == layer_of("tconv.onnx") + 1
    assert layer_of("tconv._conversion") is None  # a prefix only matches whole names


def test_every_module_has_a_layer() -> None:
    missing = [name for name in MODULES if layer_of(name) is None]
    assert not missing, f"add these modules to LAYERS in {Path(__file__).name}: {missing}"


def test_no_lower_layer_imports_a_higher_one() -> None:
    new = {edge: why for edge, why in violations().items() if edge not in ALLOWED}
    lines = [f"{a} -> {b} ({why})" for (a, b), why in sorted(new.items())]
    assert not new, "layer violations:\n" + "\n".join(lines)


def test_allowed_violations_still_exist() -> None:
    stale = sorted(set(ALLOWED) - set(violations()))
    assert not stale, f"fixed, remove from ALLOWED: {stale}"


def test_geometry_and_checks_import_only_the_standard_library() -> None:
    # Geometry is pure integer code: no NumPy, no array library, no other tconv layer.
    low = {name for name in MODULES if layer_of(name) is not None and layer_of(name) <= 1}
    assert "tconv._geometry" in low and "tconv._args" in low
    for name in sorted(low):
        tree = ast.parse(MODULES[name].read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                roots = [alias.name.split(".")[0] for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and not node.level:
                roots = [(node.module or "").split(".")[0]]
            else:
                continue
            outside = [r for r in roots if r not in sys.stdlib_module_names and r != "tconv"]
            assert not outside, f"{name} imports {outside}: geometry and checks are stdlib only"


HEAVY = ("scipy", "torch", "matplotlib", "PIL", "onnx", "onnxruntime", "keras", "jax",
         "tensorflow", "numba")


def test_import_tconv_loads_no_heavy_dependency() -> None:
    # scipy.sparse alone was half of `import tconv`; each of these is imported where used.
    code = ("import sys, tconv; "
            f"print(sorted({{m.split('.')[0] for m in sys.modules}} & set({HEAVY!r})))")
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            env=env, check=True)
    assert result.stdout.strip() == "[]", f"import tconv imports {result.stdout.strip()}"


def test_no_module_imports_a_framework_it_only_translates() -> None:
    # The adapters speak ONNX's, Keras's and JAX's conventions without importing
    # them (only the tests do); torch is imported lazily where tensors are used.
    frameworks = {"onnx", "onnxruntime", "keras", "tensorflow", "jax", "jaxlib"}
    found = []
    for name, path in MODULES.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                roots = {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and not node.level:
                roots = {(node.module or "").split(".")[0]}
            else:
                continue
            found += [f"{name} imports {root}" for root in sorted(roots & frameworks)]
    assert not found, found


def _private_names_taken(name: str, source: str | None = None) -> list[str]:
    """``from <tconv module> import _name`` in module ``name`` (or in ``source``
    read as that module) where ``_name`` is not itself a module: a private
    helper used outside its own module."""
    if source is None:
        source = MODULES[name].read_text(encoding="utf-8")
    tree = ast.parse(source)
    package = name if _is_package(name) else name.rpartition(".")[0]
    taken = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.ImportFrom):
            continue
        if node.level:
            base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
            module = ".".join(base + ([node.module] if node.module else []))
        else:
            module = node.module or ""
        if module.split(".")[0] != "tconv":
            continue
        for alias in node.names:
            private = alias.name.startswith("_") and not alias.name.startswith("__")
            if private and f"{module}.{alias.name}" not in MODULES:
                taken.append(f"{name} takes {module}.{alias.name}")
    return taken


def test_private_names_stay_in_their_module():
    """A helper another module needs has a public name in its own module."""
    taken = [line for name in MODULES for line in _private_names_taken(name)]
    assert not taken, "\n".join(taken)


def test_the_private_name_check_can_fail():
    source = ("from .report import _save_image, font\n"
              "from .. import _args\n"
              "from .._geometry import _internal\n")
    assert _private_names_taken("tconv.train.compare", source) == [
        "tconv.train.compare takes tconv.train.report._save_image",
        "tconv.train.compare takes tconv._geometry._internal"]
