"""The repository's own rules pages (``docs/rules/``) and the references to them.

* The ``>>>`` examples of every ``docs/rules/*.md`` page run as one doctest
  session per page (the worked numbers there are PyTorch's, Keras's, ONNX's
  or JAX's, observed; these runs check that tconv, and PyTorch where the page
  calls it, still give them).
* No file users see (``src/``, ``README.md``, ``docs/``) nor the tests and
  benchmarks cite the project's internal notes (the semantics and API notes
  kept outside the repository): a reader could not follow such a reference.
* Every ``docs/...`` path named in ``src/``, ``tests/``, ``README.md`` or a
  docs page exists, and every relative link between docs pages resolves.
"""

from __future__ import annotations

import doctest
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
RULES = ROOT / "docs" / "rules"
PAGES = sorted(RULES.glob("*.md"))
FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE

# The internal notes' names, built so that this file does not match itself.
INTERNAL = re.compile(r"\b(?:" + "SEMANT" + r"ICS(?:\.md)?|" + "API" + r"\.md)")
SCANNED = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md")),
           *sorted((ROOT / "src").rglob("*.py")), *sorted((ROOT / "tests").rglob("*.py")),
           *sorted((ROOT / "benchmarks").rglob("*.py"))]
DOCS_PATH = re.compile(r"(?<![\w/.-])docs/[\w./-]*\.md\b")
MARKDOWN_LINK = re.compile(r"\]\(([^)#\s]+\.md)(?:#[^)]*)?\)")


def _python_blocks(text: str) -> str:
    """The ```python blocks of a markdown text that hold ``>>>`` examples, joined."""
    blocks = re.findall(r"^```python\n(.*?)^```", text, flags=re.MULTILINE | re.DOTALL)
    return "\n".join(block for block in blocks if ">>>" in block)


def test_rules_pages_exist() -> None:
    names = {page.name for page in PAGES}
    assert names >= {"README.md", "pytorch.md", "keras.md", "onnx.md", "jax.md",
                     "interpolate.md", "checkerboard.md"}


RUNNABLE = [page for page in PAGES if _python_blocks(page.read_text(encoding="utf-8"))]


@pytest.mark.parametrize("page", RUNNABLE, ids=lambda p: p.name)
def test_rules_page_examples_pass(page: Path) -> None:
    pytest.importorskip("torch")  # in the test extra; pages compare with PyTorch
    code = _python_blocks(page.read_text(encoding="utf-8"))
    test = doctest.DocTestParser().get_doctest(code, {}, page.name, str(page), 0)
    runner = doctest.DocTestRunner(optionflags=FLAGS)
    report: list[str] = []
    result = runner.run(test, out=report.append)
    assert result.attempted > 0
    assert result.failed == 0, "".join(report)


def test_nothing_cites_the_internal_notes() -> None:
    hits = []
    for path in SCANNED:
        if path == Path(__file__).resolve():
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if INTERNAL.search(line):
                hits.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert not hits, ("cite docs/rules/*.md or the upstream spec instead:\n"
                      + "\n".join(hits))


def test_the_internal_notes_pattern_matches() -> None:
    assert INTERNAL.search("see " + "SEMANTICS" + ".md 2.2")
    assert INTERNAL.search("(" + "SEMANTICS" + " 1.2)")
    assert INTERNAL.search("the " + "API" + ".md decision 3")
    assert not INTERNAL.search("docs/rules/keras.md, the public API")


def test_every_docs_path_named_exists() -> None:
    missing = []
    for path in SCANNED:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            for name in DOCS_PATH.findall(line):
                if not (ROOT / name).is_file():
                    missing.append(f"{path.relative_to(ROOT)}:{number}: {name}")
    assert not missing, "named but not in the repository:\n" + "\n".join(missing)


def test_relative_links_between_docs_pages_resolve() -> None:
    broken = []
    for page in sorted((ROOT / "docs").rglob("*.md")):
        for target in MARKDOWN_LINK.findall(page.read_text(encoding="utf-8")):
            path = (page.parent / target).resolve()
            if "://" in target or path.is_file():
                continue
            broken.append(f"{page.relative_to(ROOT)} -> {target}")
    assert not broken, "broken links:\n" + "\n".join(broken)
