"""Every link to a notebook or a file, in the notebooks (both versions) and the READMEs, resolves.

A link is a Markdown link or image, ``[text](target)`` / ``![alt](target)``, or an HTML
``href``/``src``, in a Markdown cell of a notebook or in a README (code spans and fenced code are
skipped). Relative targets are resolved against the file's own folder; the Binder and Colab
badges name a path inside the repository (``.../blob/main/<path>``, ``urlpath=lab/tree/<path>``),
which must exist too. Other web addresses and in-page anchors are not followed (no network).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[1]
REPOSITORY = "explaining-dl/explaining-deep-learning-models"  # as the Binder and Colab badges name it

# Links to files still to be written (none today): an entry whose file exists fails the test below,
# so the list never outlives its files.
KNOWN_PENDING: set[str] = set()

_FENCED = re.compile(r"^(```|~~~).*?^\1", re.MULTILINE | re.DOTALL)
_CODE_SPAN = re.compile(r"(`+).+?\1", re.DOTALL)
_MARKDOWN_LINK = re.compile(r"!?\[(?:[^\[\]]|\[[^\]]*\])*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
_HTML_LINK = re.compile(r"""(?:href|src)\s*=\s*["']([^"']+)["']""")
_IN_REPOSITORY = (re.compile(re.escape(REPOSITORY) + r"/blob/[^/]+/([^?#]+)"),
                  re.compile(re.escape(REPOSITORY) + r"/HEAD\?urlpath=lab/tree/([^&#]+)"))


def links(markdown: str) -> list[str]:
    """The link targets in a piece of Markdown, outside code."""
    prose = _CODE_SPAN.sub("", _FENCED.sub("", markdown))
    return _MARKDOWN_LINK.findall(prose) + _HTML_LINK.findall(prose)


def local_path(target: str, folder: Path) -> Path | None:
    """The file a link points to inside the repository, or None for a web address or an anchor."""
    for pattern in _IN_REPOSITORY:
        if match := pattern.search(target):
            return ROOT / unquote(match.group(1))
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not parts.path:  # http(s)://, mailto:, or "#anchor"
        return None
    return (folder / unquote(parts.path)).resolve()


def documents() -> list[Path]:
    notebooks = sorted((ROOT / "solutions").glob("*.ipynb")) + sorted((ROOT / "notebooks").glob("*.ipynb"))
    return [ROOT / "README.md", ROOT / "datasets" / "README.md", *notebooks]


def markdown_of(document: Path) -> str:
    if document.suffix != ".ipynb":
        return document.read_text(encoding="utf-8")
    cells = json.loads(document.read_text(encoding="utf-8"))["cells"]
    return "\n\n".join("".join(cell["source"]) for cell in cells if cell["cell_type"] == "markdown")


def test_links_are_found_in_markdown_and_html_but_not_in_code():
    markdown = ("See [01](01_linear_solvability.ipynb), ![a figure](figures/a.png \"title\") and "
                '<a href="datasets/README.md">data</a>; not `[x](in_code.ipynb)`.\n'
                "```python\n# [y](in_fence.ipynb)\n```\n[web](https://example.org) [anchor](#top)")
    assert links(markdown) == ["01_linear_solvability.ipynb", "figures/a.png", "https://example.org", "#top",
                               "datasets/README.md"]
    assert local_path("https://example.org", ROOT) is None and local_path("#top", ROOT) is None
    badge = f"https://mybinder.org/v2/gh/{REPOSITORY}/HEAD?urlpath=lab/tree/notebooks/00_welcome.ipynb"
    assert local_path(badge, ROOT) == ROOT / "notebooks" / "00_welcome.ipynb"
    colab = f"https://colab.research.google.com/github/{REPOSITORY}/blob/main/notebooks/x.ipynb"
    assert local_path(colab, ROOT) == ROOT / "notebooks" / "x.ipynb"


@pytest.mark.parametrize("document", documents(), ids=lambda path: str(path.relative_to(ROOT)))
def test_every_link_to_a_file_resolves(document):
    broken = []
    for target in links(markdown_of(document)):
        path = local_path(target, document.parent)
        if path is None or path.exists():
            continue
        relative = path.relative_to(ROOT).as_posix() if path.is_relative_to(ROOT) else str(path)
        if relative not in KNOWN_PENDING:
            broken.append(f"{target} (no file {relative})")
    assert not broken, f"{document.relative_to(ROOT)} links to files that do not exist:\n" + "\n".join(broken)


def test_every_document_links_somewhere():
    """The link finder is not blind: each notebook links to the next (or its README), each README to a notebook."""
    for document in documents():
        assert links(markdown_of(document)), f"no links found in {document.relative_to(ROOT)}"


_NOTEBOOK_NAMED = re.compile(r"\bnotebooks? (\d{2})\b")


def test_every_notebook_named_in_the_prose_exists_or_is_pending():
    """"notebook 07" in a sentence is a promise too: the notebook exists, or it is one of KNOWN_PENDING."""
    pending = {Path(path).stem[:2] for path in KNOWN_PENDING}
    written = {path.stem[:2] for path in (ROOT / "solutions").glob("*.ipynb")}
    for document in documents():
        named = set(_NOTEBOOK_NAMED.findall(_CODE_SPAN.sub("", _FENCED.sub("", markdown_of(document)))))
        unknown = sorted(named - written - pending)
        assert not unknown, f"{document.relative_to(ROOT)} names notebooks that do not exist: {unknown}"


def test_known_pending_links_are_still_pending():
    """Remove an entry from KNOWN_PENDING when its notebook is merged."""
    arrived = sorted(path for path in KNOWN_PENDING if (ROOT / path).exists())
    assert not arrived, f"these notebooks exist now; remove them from KNOWN_PENDING in tests/test_links.py: {arrived}"
