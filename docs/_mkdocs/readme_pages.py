"""MkDocs hook: the README's ``##`` sections become the site's guide pages.

The README stays the single source: at build time its introduction becomes
the home page (``index.md``) and every ``## Section`` a page
``guide/<slug>.md``, added to the navigation in README order. Links of the
form ``docs/...`` are rewritten relative to the generated page, so the
pictures and the rules pages resolve on the site as they do on GitHub.
Headings inside fenced code blocks are not sections.
"""

from __future__ import annotations

import re
from pathlib import Path

from markdown.extensions.toc import slugify
from mkdocs.structure.files import File

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"


def _slug(title: str) -> str:
    words = re.sub(r"[^a-z0-9]+", "-", title.lower().replace("`", "")).strip("-")
    return words or "section"


def readme_sections(text: str) -> list[tuple[str, str]]:
    """``[(title, body), ...]``: the introduction (title ``""``) then each ``##`` section."""
    sections: list[tuple[str, list[str]]] = [("", [])]
    fenced = False
    for line in text.splitlines():
        if line.startswith("```"):
            fenced = not fenced
        if not fenced and line.startswith("## "):
            sections.append((line[3:].strip(), []))
        sections[-1][1].append(line)
    return [(title, "\n".join(lines) + "\n") for title, lines in sections]


def _github_anchor(heading: str) -> str:
    """The anchor GitHub gives a heading: lower case, punctuation dropped, spaces to ``-``."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def _site_anchor(heading: str) -> str:
    """The anchor MkDocs's ``toc`` extension gives the same heading."""
    return slugify(heading.replace("`", ""), "-")


def _headings(body: str) -> list[str]:
    fenced, found = False, []
    for line in body.splitlines():
        if line.startswith("```"):
            fenced = not fenced
        elif not fenced and re.match(r"#{1,6} ", line):
            found.append(line.lstrip("#").strip())
    return found


def _rewrite_links(body: str, uri: str, anchors: dict[str, tuple[str, str]]) -> str:
    """Links of the README made to work from the generated page ``uri``.

    ``docs/...`` links are relative to the repository root, ``#anchor`` links
    to a heading that may now sit on another page.
    """
    depth = uri.count("/")
    body = re.sub(r"\]\(docs/", "](" + "../" * depth, body)

    def anchor(match: re.Match) -> str:
        if match.group(1) not in anchors:
            return match.group(0)  # left for --strict to report
        target, site = anchors[match.group(1)]
        if target == uri:
            return f"](#{site})"
        path = ("../" * depth) + target
        return f"]({path}#{site})"

    return re.sub(r"\]\(#([^)\s]+)\)", anchor, body)


def _pages() -> list[tuple[str, str, str]]:
    """``[(title, src_uri, markdown), ...]`` for the home page and each section."""
    raw = []
    for title, body in readme_sections(README.read_text(encoding="utf-8")):
        if not title:
            raw.append(("Home", "index.md", body))
        else:
            body = body.replace("## " + title, "# " + title, 1)
            raw.append((title.replace("`", ""), f"guide/{_slug(title)}.md", body))
    anchors = {_github_anchor(h): (uri, _site_anchor(h))
               for _, uri, body in raw for h in _headings(body)}
    return [(title, uri, _rewrite_links(body, uri, anchors)) for title, uri, body in raw]


def on_config(config):
    pages = _pages()
    guide = [{title: uri} for title, uri, _ in pages[1:]]
    config["nav"] = [{"Home": "index.md"}, {"Guide": guide}, *(config["nav"] or [])]
    return config


def _nav_uris(nav) -> set[str]:
    """Every page path named anywhere in a navigation tree."""
    if isinstance(nav, str):
        return {nav}
    if isinstance(nav, dict):
        return set().union(*(_nav_uris(value) for value in nav.values()))
    if isinstance(nav, list):
        return set().union(set(), *(_nav_uris(entry) for entry in nav))
    return set()


def on_files(files, config):
    for _, uri, markdown in _pages():
        files.append(File.generated(config, uri, content=markdown))
    # A page added to docs/ without a nav entry goes under "More" (sorted), so
    # a new report does not break the strict build; links are still checked.
    named = _nav_uris(config["nav"])
    extra = sorted(f.src_uri for f in files.documentation_pages() if f.src_uri not in named)
    if extra:
        config["nav"].append({"More": extra})
    return files
