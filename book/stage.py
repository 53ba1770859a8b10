"""Lay out the course website's sources; Sphinx with MyST-NB then executes and renders them.

``make site`` runs ``python -m book.stage _site/source``, then ``sphinx-build _site/source _site/html``.
The source folder it writes holds:

- ``index.md``: the landing page, the course map made from ``course_utils.curriculum`` (the one
  list of notebooks). A notebook is on the site as soon as ``solutions/<stem>.ipynb`` exists;
  the lessons not written yet are listed as "coming soon".
- ``<stem>.ipynb``: a copy of each solution notebook, unexecuted, with its Binder and Colab
  badges (URLs from ``curriculum.binder_url``/``colab_url``) under the title, the Colab set-up
  cell hidden, and links to lessons not written yet turned into plain text.
- ``datasets/README.md`` and ``datasets/models/README.md``: the datasheets, at the same relative
  places as in the repository, so the links between them hold.
- ``conf.py`` and ``_static/`` from this folder, and the vendored JavaScript in
  ``_static/vendor/``: MathJax 3 (with its fonts), RequireJS and the Jupyter widgets
  HTML manager, taken from npm tarballs (``make site`` fetches them with ``npm pack``), so no
  page asks a CDN for anything.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import tarfile
from pathlib import Path

import nbformat

from course_utils import curriculum
from course_utils.notebooks import ROOT, repository_url

HERE = Path(__file__).resolve().parent
DATASHEETS = ("datasets/README.md", "datasets/models/README.md")
# npm tarball -> (what to take from it, where it goes under _static/vendor/)
VENDOR = {
    "mathjax": (r"package/es5/(?P<path>.+)", "mathjax/"),  # all of it: extensions and fonts load on demand
    "jupyter-widgets-html-manager": (
        r"package/dist/(?P<path>embed-amd\.js|\w+\.(?:woff2?|ttf|eot|svg))",
        "html-manager/",
    ),
    "requirejs": (r"package/(?P<path>require\.js)", ""),
}
LICENCES = ("package/LICENSE", "package/LICENSE.txt", "package/LICENSE.md")


def lessons(root: Path = ROOT) -> list[curriculum.Lesson]:
    """The curriculum's lessons whose solution notebook exists, in course order."""
    known = {lesson.stem for lesson in curriculum.NOTEBOOKS}
    strays = sorted(p.stem for p in (root / "solutions").glob("*.ipynb") if p.stem not in known)
    if strays:
        raise ValueError(
            f"solutions/ has notebooks that course_utils.curriculum.NOTEBOOKS does not list: {strays}. "
            "Add a Lesson for each to NOTEBOOKS (the one list of notebooks), then build the site again."
        )
    return [lesson for lesson in curriculum.NOTEBOOKS if (root / "solutions" / f"{lesson.stem}.ipynb").exists()]


def site_url(root: Path = ROOT) -> str:
    """Where GitHub Pages publishes the site of the repository named in pyproject.toml."""
    owner, name = repository_url(root).removeprefix("https://github.com/").strip("/").split("/")
    return f"https://{owner.lower()}.github.io/{name}/"


def launch_badges(stem: str, root: Path = ROOT) -> str:
    """Markdown for a notebook's Binder and Colab badges; the badge images are served by the site."""
    return (
        f"[![Launch on Binder](_static/binder-badge.svg)]({curriculum.binder_url(stem, root)}) "
        f"[![Open in Colab](_static/colab-badge.svg)]({curriculum.colab_url(stem, root)})"
    )


def _intro(root: Path) -> str:
    """The README's opening: its paragraphs between the title and the first section."""
    text = (root / "README.md").read_text(encoding="utf-8")
    body = text.split("\n", 1)[1]
    return body.split("\n## ", 1)[0].strip()


def landing_page(root: Path = ROOT) -> str:
    """The site's entry page: the README's opening, the course map, the datasheets, the toctrees."""
    available = lessons(root)
    written = {lesson.stem for lesson in available}
    parts = []
    for part in dict.fromkeys(lesson.part for lesson in curriculum.NOTEBOOKS):
        rows = ["| Notebook | Time | Where the linear model hides | Launch |", "| --- | --- | --- | --- |"]
        for lesson in (lesson for lesson in curriculum.NOTEBOOKS if lesson.part == part):
            if lesson.stem in written:
                name, launch = (
                    f"[`{lesson.stem}`]({lesson.stem}.ipynb) — {lesson.title}",
                    launch_badges(lesson.stem, root),
                )
            else:
                name, launch = f"`{lesson.stem}` — {lesson.title}", "coming soon"
            rows.append(f"| {name} | {lesson.minutes} min | {lesson.linear_model} | {launch} |")
        parts += [f"### {part}", "\n".join(rows)]
    toctrees = []
    for part in dict.fromkeys(lesson.part for lesson in available):
        stems = "\n".join(lesson.stem for lesson in available if lesson.part == part)
        toctrees.append(f"```{{toctree}}\n:hidden:\n:caption: {part}\n\n{stems}\n```")
    toctrees.append(
        "```{toctree}\n:hidden:\n:caption: Data\n\n" + "\n".join(p.removesuffix(".md") for p in DATASHEETS) + "\n```"
    )
    repository = repository_url(root)
    return (
        "\n\n".join(
            [
                "# Explaining Deep Learning Models",
                _intro(root),
                "## Course map",
                "Each notebook's page shows its solution, executed when this site was built, with its figures "
                "and printed output. To run a notebook yourself, launch it on Binder or Colab (the student "
                f"version, with the exercises left for you), or clone [the repository]({repository}) and run "
                "`make lab`. Times are for a first pass, exercises included.",
                *parts,
                "## Data",
                "Everything the notebooks read ships with the course or with scikit-learn:\n\n"
                "- [Datasheet of the bundled data](datasets/README.md) — MNIST digits and the synthetic credit set\n"
                "- [Datasheet of the pretrained models](datasets/models/README.md) — the MLP and the CNN",
                *toctrees,
            ]
        )
        + "\n"
    )


def page_notebook(path: Path, root: Path = ROOT) -> nbformat.NotebookNode:
    """A solution notebook prepared for its page: badges under the title, set-up cell hidden, links from the
    repository's notebook folder (``../datasets/README.md``) made relative to the page."""
    nb = nbformat.read(path, as_version=4)
    coming = {lesson.stem for lesson in curriculum.NOTEBOOKS} - {lesson.stem for lesson in lessons(root)}
    dead_link = (
        re.compile(r"\[([^\]]+)\]\((?:" + "|".join(map(re.escape, sorted(coming))) + r")\.ipynb\)") if coming else None
    )
    for cell in nb.cells:
        if cell.cell_type == "code" and "colab-setup" in cell.metadata.get("tags", []):
            cell.metadata["tags"] = [*cell.metadata["tags"], "remove-cell"]
        if cell.cell_type == "markdown":
            # A notebook sits in notebooks/ or solutions/, its page at the site's root: ../datasets/... is datasets/...
            cell.source = re.sub(r"\]\(\.\./", "](", cell.source)
            if dead_link is not None:
                cell.source = dead_link.sub(r"\1", cell.source)
    title = next(i for i, cell in enumerate(nb.cells) if cell.cell_type == "markdown")
    badges = nbformat.v4.new_markdown_cell(launch_badges(path.stem, root), id="launch-badges")
    nb.cells.insert(title + 1, badges)
    return nb


def vendor(npm_dir: Path, static: Path) -> None:
    """Unpack the npm tarballs of MathJax, RequireJS and the widget manager into ``static/vendor``.

    ``vendor/README.txt`` names each package, its version, its licence and where it went.
    """
    notice = ["Third-party files served by this site, unpacked from their npm packages:", ""]
    for package, (pattern, target) in VENDOR.items():
        tarballs = sorted(npm_dir.glob(f"{package}-[0-9]*.tgz"))
        if len(tarballs) != 1:
            raise FileNotFoundError(
                f"expected one {package}-<version>.tgz in {npm_dir}, found {[t.name for t in tarballs]}; "
                "`make site` fetches them with npm pack (delete the folder to fetch them again)"
            )
        written = []
        with tarfile.open(tarballs[0]) as tar:
            meta = json.load(tar.extractfile("package/package.json"))
            for member in tar.getmembers():
                wanted = re.fullmatch(pattern, member.name) if member.isfile() else None
                if wanted:
                    out = static / "vendor" / target / wanted["path"]
                    written.append(f"vendor/{target}{wanted['path']}")
                elif member.isfile() and member.name in LICENCES:
                    out = static / "vendor" / f"{package}.{Path(member.name).name}"
                else:
                    continue
                out.parent.mkdir(parents=True, exist_ok=True)
                out.write_bytes(tar.extractfile(member).read())
        where = f"vendor/{target}" if target else ", ".join(written)
        notice.append(f"{meta['name']} {meta['version']} ({meta.get('license', 'see the package')}): {where}")
    (static / "vendor" / "README.txt").write_text("\n".join(notice) + "\n", encoding="utf-8")


def stage(out: Path, *, npm_dir: Path, root: Path = ROOT) -> None:
    """Write the site's Sphinx source folder ``out`` afresh."""
    shutil.rmtree(out, ignore_errors=True)
    shutil.copytree(HERE / "_static", out / "_static")
    shutil.copy(HERE / "conf.py", out / "conf.py")
    vendor(npm_dir, out / "_static")
    (out / "index.md").write_text(landing_page(root), encoding="utf-8")
    for lesson in lessons(root):
        nbformat.write(page_notebook(root / "solutions" / f"{lesson.stem}.ipynb", root), out / f"{lesson.stem}.ipynb")
    for datasheet in DATASHEETS:
        (out / datasheet).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(root / datasheet, out / datasheet)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("out", type=Path, help="the Sphinx source folder to write (emptied first)")
    parser.add_argument("--npm", type=Path, required=True, help="folder with the npm tarballs (npm pack)")
    args = parser.parse_args()
    stage(args.out, npm_dir=args.npm)
