"""The documentation site builds with MkDocs in strict mode (every warning an error).

``mkdocs build --strict`` fails on a broken link between pages, a missing
picture, a page left out of the navigation, or a docstring griffe cannot
parse. The README's sections become guide pages at build time
(``docs/_mkdocs/readme_pages.py``); the API reference comes from the
docstrings (``docs/reference.md``). Needs the ``docs`` extra, which the
``test`` extra includes.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
pytest.importorskip("mkdocs")
pytest.importorskip("mkdocstrings")

spec = importlib.util.spec_from_file_location("readme_pages",
                                              ROOT / "docs" / "_mkdocs" / "readme_pages.py")
readme_pages = importlib.util.module_from_spec(spec)
spec.loader.exec_module(readme_pages)


def test_readme_sections_skip_headings_inside_code() -> None:
    text = "# t\nintro\n## A `b`\none\n```python\n## not a section\n# nor this\n```\n## C\ntwo\n"
    sections = readme_pages.readme_sections(text)
    assert [title for title, _ in sections] == ["", "A `b`", "C"]
    assert "## not a section" in sections[1][1]
    assert readme_pages._slug("A `b`") == "a-b"


def test_readme_links_are_rewritten_for_the_generated_pages() -> None:
    # GitHub's anchor for a heading, and a link to it from another section's page.
    heading = "Checkerboard artifacts: `tconv.checkerboard`"
    assert readme_pages._github_anchor(heading) == "checkerboard-artifacts-tconvcheckerboard"
    anchors = {"padding-in-every-form": ("guide/use.md", "padding-in-every-form")}
    body = "[p](#padding-in-every-form), [q](#nowhere), ![i](docs/images/x.png)"
    assert readme_pages._rewrite_links(body, "guide/speed.md", anchors) == (
        "[p](../guide/use.md#padding-in-every-form), [q](#nowhere), ![i](../images/x.png)")
    assert readme_pages._rewrite_links(body, "guide/use.md", anchors).startswith(
        "[p](#padding-in-every-form)")


def test_site_builds_strict(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict",
                             "-f", str(ROOT / "mkdocs.yml"), "-d", str(tmp_path)],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
                            check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for title, _ in readme_pages.readme_sections(readme)[1:]:
        page = tmp_path / "guide" / readme_pages._slug(title) / "index.html"
        assert page.is_file(), f"README section {title!r} has no page"
    for name in ("pytorch", "keras", "onnx", "jax", "interpolate", "checkerboard"):
        assert (tmp_path / "rules" / name / "index.html").is_file()
    reference = (tmp_path / "reference" / "index.html").read_text(encoding="utf-8")
    for name in ("tconv.conv_transpose", "tconv.interpolate", "tconv.onnx.resize",
                 "tconv.keras.conv_transpose"):
        assert f'id="{name}"' in reference, name
    assert "{padding}" not in reference  # the shared docstring fragments are filled in
