"""The course website: its landing page and notebook pages (book/stage.py), and the built site.

The unit tests of book/stage.py run with every `make test`. The site tests need a built site:
`make test-site` builds it (`make site`, into _site/html) and runs this file with COURSE_SITE
pointing there; without COURSE_SITE they are skipped. They serve the site on 127.0.0.1, open it
in headless Chromium and block every request to any other address, so a page that needs a CDN
fails. Every page reachable from the landing page must load without console errors or failed
requests; every internal link must resolve; each notebook page must show its figures (images
loaded), its math typeset by MathJax, its widgets rendered, its badges and its previous/next
links; search must find pages.

Needs Chromium (Debian: `apt-get install chromium`); without it the site tests are skipped with
that advice, except under CI (CI=true), where a missing browser is a failure.
"""

from __future__ import annotations

import functools
import http.server
import io
import json
import os
import re
import tarfile
import threading
import urllib.error
import urllib.request
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urldefrag, urljoin, urlparse

import nbformat
import pytest

from book import stage
from course_utils import curriculum
from course_utils.notebooks import ROOT
from tests import lab_driver

# ---------------------------------------------------------------------------------------------
# book/stage.py: the landing page and the notebook pages, made from the curriculum
# ---------------------------------------------------------------------------------------------


def _course(tmp_path: Path, stems: list[str]) -> Path:
    """A copy of the course's pyproject.toml and README.md with a few solution notebooks."""
    root = tmp_path / "course"
    (root / "solutions").mkdir(parents=True)
    for name in ("pyproject.toml", "README.md"):
        (root / name).write_text((ROOT / name).read_text(encoding="utf-8"), encoding="utf-8")
    for stem in stems:
        nb = nbformat.v4.new_notebook()
        nb.cells = [
            nbformat.v4.new_markdown_cell(f"# {stem}\n\nObjectives."),
            nbformat.v4.new_code_cell("", metadata={"tags": ["colab-setup"]}),
            nbformat.v4.new_markdown_cell(
                "Next: [notebook 01](01_linear_solvability.ipynb), then [notebook 09](09_global_importance.ipynb)."
            ),
        ]
        nbformat.write(nb, root / "solutions" / f"{stem}.ipynb")
    return root


def _toctree_entries(page: str) -> list[str]:
    return [
        line
        for block in re.findall(r"```\{toctree\}\n(.*?)```", page, flags=re.S)
        for line in block.splitlines()[3:]
        if line
    ]


def test_landing_page_maps_the_whole_curriculum_and_links_the_notebooks_that_exist(tmp_path):
    root = _course(tmp_path, ["03_backprop_from_scratch", "00_welcome"])
    page = stage.landing_page(root)
    rows = [
        line for line in page.splitlines() if line.startswith("| ") and not line.startswith(("| Notebook", "| ---"))
    ]
    assert len(rows) == len(curriculum.NOTEBOOKS)
    assert page.count("coming soon") == len(curriculum.NOTEBOOKS) - 2
    for stem in ("00_welcome", "03_backprop_from_scratch"):
        row = next(line for line in rows if stem in line)
        assert f"[`{stem}`]({stem}.ipynb)" in row
        assert f"({curriculum.binder_url(stem, root)})" in row and f"({curriculum.colab_url(stem, root)})" in row
    assert "](02_linear_svm.ipynb)" not in page
    assert _toctree_entries(page) == [
        "00_welcome",
        "03_backprop_from_scratch",
        "datasets/README",
        "datasets/models/README",
    ]
    assert ":caption: II Inside the network" not in page  # no empty part in the sidebar
    assert "### II Inside the network" in page  # but the map shows every part
    assert "A Jupyter-first course" in page  # the README's opening


def test_a_new_notebook_joins_the_site_when_its_file_exists(tmp_path):
    root = _course(tmp_path, ["00_welcome"])
    assert "09_global_importance" not in _toctree_entries(stage.landing_page(root))
    nbformat.write(
        nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# 09")]),
        root / "solutions" / "09_global_importance.ipynb",
    )
    page = stage.landing_page(root)
    assert _toctree_entries(page)[:2] == ["00_welcome", "09_global_importance"]
    assert ":caption: IV Trusting explanations\n\n09_global_importance\n" in page
    assert "[`09_global_importance`](09_global_importance.ipynb)" in page


def test_a_notebook_missing_from_the_curriculum_stops_the_build_and_says_where_to_add_it(tmp_path):
    root = _course(tmp_path, ["00_welcome", "99_extra"])
    with pytest.raises(ValueError, match=r"\['99_extra'\].*Add a Lesson for each to NOTEBOOKS"):
        stage.landing_page(root)


def test_a_notebook_page_gets_its_badges_a_hidden_setup_cell_and_no_dead_links(tmp_path):
    root = _course(tmp_path, ["00_welcome", "01_linear_solvability"])
    nb = stage.page_notebook(root / "solutions" / "00_welcome.ipynb", root)
    title, badges, setup, text = nb.cells
    assert title.source.startswith("# 00_welcome")
    assert badges.source == stage.launch_badges("00_welcome", root)
    assert f"(_static/binder-badge.svg)]({curriculum.binder_url('00_welcome', root)})" in badges.source
    assert f"(_static/colab-badge.svg)]({curriculum.colab_url('00_welcome', root)})" in badges.source
    assert setup.metadata["tags"] == ["colab-setup", "remove-cell"]
    assert text.source == "Next: [notebook 01](01_linear_solvability.ipynb), then notebook 09."
    nbformat.validate(nb)


def test_a_notebook_page_links_the_datasheet_where_the_site_has_it(tmp_path):
    root = _course(tmp_path, ["00_welcome"])
    path = root / "solutions" / "00_welcome.ipynb"
    nb = nbformat.read(path, as_version=4)
    nb.cells.append(nbformat.v4.new_markdown_cell("See [the datasheet](../datasets/README.md) and [01](01_x.ipynb)."))
    nbformat.write(nb, path)
    page = stage.page_notebook(path, root)
    assert page.cells[-1].source == "See [the datasheet](datasets/README.md) and [01](01_x.ipynb)."


def test_the_readme_links_the_site_where_github_pages_publishes_it(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[project.urls]\nRepository = "https://github.com/Some-Org/a-course/"\n')
    assert stage.site_url(tmp_path) == "https://some-org.github.io/a-course/"
    assert f"<{stage.site_url()}>" in (ROOT / "README.md").read_text(encoding="utf-8")


def _tarball(folder: Path, name: str, files: dict[str, bytes]) -> None:
    package, version = name.removesuffix(".tgz").rsplit("-", 1)
    meta = {"name": package.replace("jupyter-widgets-", "@jupyter-widgets/"), "version": version, "license": "MIT"}
    with tarfile.open(folder / name, "w:gz") as tar:
        for path, data in {**files, "package/package.json": json.dumps(meta).encode()}.items():
            info = tarfile.TarInfo(path)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))


def test_vendored_files_land_where_the_sphinx_configuration_loads_them(tmp_path):
    npm = tmp_path / "npm"
    npm.mkdir()
    _tarball(
        npm,
        "mathjax-3.2.2.tgz",
        {
            "package/es5/tex-chtml.js": b"mj",
            "package/es5/output/chtml/fonts/woff-v2/a.woff": b"f",
            "package/LICENSE": b"Apache",
        },
    )
    _tarball(
        npm,
        "jupyter-widgets-html-manager-1.0.15.tgz",
        {
            "package/dist/embed-amd.js": b"w",
            "package/dist/0a1b.woff2": b"f",
            "package/dist/embed.js": b"other",
            "package/dist/embed-amd.js.map": b"m",
        },
    )
    _tarball(npm, "requirejs-2.3.8.tgz", {"package/require.js": b"r", "package/bin/r.js": b"optimizer"})
    static = tmp_path / "_static"
    stage.vendor(npm, static)
    from book import conf

    for relative in [conf.mathjax_path, *conf.nb_ipywidgets_js]:
        assert (static / relative).is_file() or (stage.HERE / "_static" / relative).is_file(), relative
    assert (static / "vendor/mathjax/output/chtml/fonts/woff-v2/a.woff").read_bytes() == b"f"
    assert (static / "vendor/html-manager/0a1b.woff2").is_file()  # the icon fonts the manager loads
    assert not (static / "vendor/html-manager/embed.js").exists() and not (static / "vendor/r.js").exists()
    assert (static / "vendor/mathjax.LICENSE").read_bytes() == b"Apache"
    notice = (static / "vendor/README.txt").read_text()
    assert "mathjax 3.2.2 (MIT): vendor/mathjax/" in notice and "@jupyter-widgets/html-manager 1.0.15 (MIT)" in notice


def test_a_missing_tarball_says_how_to_fetch_it(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"expected one mathjax-<version>\.tgz in .*npm pack"):
        stage.vendor(tmp_path, tmp_path / "_static")


# ---------------------------------------------------------------------------------------------
# The built site in headless Chromium
# ---------------------------------------------------------------------------------------------

LESSONS = stage.lessons()


def _missing(what: str):
    message = (
        f"{what} — the site test is skipped. To run it: install Chromium (Debian/Ubuntu: "
        "`sudo apt-get install chromium`, or set CHROMIUM=/path/to/chrome), `pip install -e .[dev]`, "
        "and run `make test-site`."
    )
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"CI=true: {message}")
    pytest.skip(message)


@pytest.fixture(scope="module")
def browser():
    executable = lab_driver.find_chromium()
    if executable is None:
        _missing("Chromium was not found")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("Playwright for Python is not installed")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, headless=True, args=lab_driver.CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


class _QuietServer(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass  # the browser closing a connection early (an aborted or cached request) is no failure


def serve(folder: Path):
    """Serve ``folder`` on 127.0.0.1 from a thread; returns (base URL, server)."""
    server = _QuietServer(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_port}/", server


@dataclass
class PageReport:
    """What one page showed in the browser."""

    url: str
    status: int | None = None
    console_errors: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)  # requests to anywhere but the site's server
    links: list[str] = field(default_factory=list)  # absolute URLs of every <a href>
    ids: set[str] = field(default_factory=set)
    dom: dict = field(default_factory=dict)


_DOM_JS = """() => {
  const q = (s) => [...document.querySelectorAll(s)];
  const loaded = (i) => i.complete && i.naturalWidth > 0;
  const views = q('script[type="application/vnd.jupyter.widget-view+json"]');
  return {
    title: document.title,
    images: q('img').map(i => ({src: i.getAttribute('src').slice(0, 80), loaded: loaded(i),
                                output: !!i.closest('.cell_output')})),
    math: q('.math').length,
    typeset: q('.math mjx-container').length,
    mathErrors: q('mjx-merror').map(e => e.textContent),
    widgetViews: views.length,
    widgetsRendered: views.filter(v => v.previousElementSibling && v.previousElementSibling.matches('.widget-subarea')
                                      && v.previousElementSibling.childElementCount > 0).length,
    stderr: q('.cell_output .output.stderr, .cell_output .output.traceback').map(e => e.textContent.slice(0, 300)),
    prev: document.querySelector('a.left-prev')?.getAttribute('href') ?? null,
    next: document.querySelector('a.right-next')?.getAttribute('href') ?? null,
    badges: q('a[href] > img[alt="Launch on Binder"], a[href] > img[alt="Open in Colab"]')
              .map(i => ({href: i.parentElement.href, loaded: loaded(i)})),
    links: q('a[href]').map(a => a.href),
    ids: q('[id]').map(e => e.id),
  };
}"""
_SETTLED_JS = """() => {
  const views = [...document.querySelectorAll('script[type="application/vnd.jupyter.widget-view+json"]')];
  const widgetsDone = views.every(v => v.previousElementSibling && v.previousElementSibling.matches('.widget-subarea')
                                       && v.previousElementSibling.childElementCount > 0);
  const mathDone = !document.querySelector('.math') || (window.MathJax && window.MathJax.startup
                   && document.querySelectorAll('.math').length
                      === document.querySelectorAll('.math mjx-container').length);
  return widgetsDone && mathDone && [...document.images].every(i => i.complete);
}"""


class Visitor:
    """Open pages of a site served at ``base`` in one browser context that reaches nothing else."""

    def __init__(self, browser, base: str):
        self.base = base
        self.context = browser.new_context(viewport={"width": 1280, "height": 1000})
        self.context.set_default_timeout(30_000)
        self._blocked: list[str] = []
        self.context.route("**/*", self._route)

    def _route(self, route):
        if route.request.url.startswith(self.base):
            route.continue_()
        else:
            self._blocked.append(route.request.url)
            route.abort()

    def visit(self, url: str, *, settle_ms: int = 20_000) -> PageReport:
        report = PageReport(url)
        self._blocked = report.blocked
        page = self.context.new_page()
        page.on("console", lambda message: message.type == "error" and report.console_errors.append(message.text[:300]))
        page.on("pageerror", lambda error: report.console_errors.append(f"uncaught: {str(error)[:300]}"))
        page.on("requestfailed", lambda request: report.failed_requests.append(f"{request.url} ({request.failure})"))
        page.on(
            "response",
            lambda response: (
                response.status >= 400 and report.failed_requests.append(f"{response.url} (HTTP {response.status})")
            ),
        )
        try:
            response = page.goto(url, wait_until="load")
            report.status = response.status if response else None
            try:
                page.wait_for_function(_SETTLED_JS, timeout=settle_ms)
            except Exception:  # reported below as what did not render
                pass
            page.wait_for_timeout(300)  # late console messages
            report.dom = page.evaluate(_DOM_JS)
            report.links, report.ids = report.dom.pop("links"), set(report.dom.pop("ids"))
        finally:
            page.close()
        return report

    def close(self) -> None:
        self.context.close()


def problems(report: PageReport) -> list[str]:
    """What went wrong on any page, in words; empty when the page is well."""
    found = []
    if report.status != 200:
        found.append(f"HTTP status {report.status}")
    found += [f"console error: {text}" for text in report.console_errors]
    found += [f"request failed: {text}" for text in report.failed_requests]
    found += [f"asked the network (blocked): {url}" for url in report.blocked]
    found += [f"image did not load: {image['src']}" for image in report.dom.get("images", []) if not image["loaded"]]
    found += [f"MathJax error: {text}" for text in report.dom.get("mathErrors", [])]
    if report.dom.get("typeset", 0) != report.dom.get("math", 0):
        found.append(f"math typeset: {report.dom['typeset']} of {report.dom['math']} formulas")
    if report.dom.get("widgetsRendered", 0) != report.dom.get("widgetViews", 0):
        found.append(f"widgets rendered: {report.dom['widgetsRendered']} of {report.dom['widgetViews']}")
    found += [f"stderr or error output shown: {text}" for text in report.dom.get("stderr", [])]
    return [f"{report.url}: {line}" for line in found]


def crawl(visitor: Visitor, start: str) -> dict[str, PageReport]:
    """Visit every HTML page of the site reachable from ``start`` by links."""
    reports: dict[str, PageReport] = {}
    queue = deque([start])
    while queue:
        url = queue.popleft()
        if url in reports:
            continue
        reports[url] = visitor.visit(url)
        for link in reports[url].links:
            target = urldefrag(link).url
            if (
                target.startswith(visitor.base)
                and urlparse(target).path.endswith((".html", "/"))
                and target not in reports
            ):
                queue.append(target)
    return reports


def broken_links(reports: dict[str, PageReport], base: str) -> list[str]:
    """Internal links that do not answer 200, or point at an anchor their page lacks."""
    broken, status = [], {}
    for page, report in reports.items():
        for link in report.links:
            target, fragment = urldefrag(link)
            if not target.startswith(base):
                continue
            if target not in status:
                try:
                    with urllib.request.urlopen(target, timeout=10) as response:
                        status[target] = response.status
                except urllib.error.HTTPError as error:
                    status[target] = error.code
            if status[target] != 200:
                broken.append(f"{page} links {link}: HTTP {status[target]}")
            elif fragment and target in reports and fragment not in reports[target].ids:
                broken.append(f"{page} links {link}: no element with id {fragment!r} there")
    return sorted(set(broken))


# -- a test of the test: a page that needs the network, a lost image and a dead link are caught ----

BROKEN_SITE = """<!doctype html><html><head><title>broken</title>
<script src="https://cdn.jsdelivr.net/npm/nothing@1/nothing.js"></script></head>
<body><img src="missing.png"><a href="nowhere.html">dead</a><a href="index.html#no-such-id">anchor</a>
<script>console.error("something broke")</script></body></html>"""


def test_the_site_test_catches_cdn_requests_broken_images_dead_links_and_console_errors(browser, tmp_path):
    (tmp_path / "index.html").write_text(BROKEN_SITE)
    base, server = serve(tmp_path)
    visitor = Visitor(browser, base)
    try:
        reports = crawl(visitor, base + "index.html")
        dead = "\n".join(broken_links(reports, base))
    finally:
        visitor.close()
        server.shutdown()
        server.server_close()
    found = "\n".join(problems(reports[base + "index.html"]))
    assert "asked the network (blocked): https://cdn.jsdelivr.net/npm/nothing@1/nothing.js" in found
    assert "image did not load: missing.png" in found
    assert "console error: something broke" in found
    assert f"{base}missing.png (HTTP 404)" in found
    assert "links " + base + "nowhere.html: HTTP 404" in dead
    assert "no element with id 'no-such-id'" in dead


@pytest.mark.parametrize("ci, outcome", [("true", pytest.fail.Exception), ("", pytest.skip.Exception)])
def test_a_missing_browser_fails_under_ci_and_is_skipped_with_advice_elsewhere(monkeypatch, ci, outcome):
    monkeypatch.setenv("CI", ci)
    with pytest.raises(outcome, match=r"install Chromium \(Debian/Ubuntu: `sudo apt-get install chromium`"):
        _missing("Chromium was not found")


# -- the built site ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def site() -> Path:
    folder = os.environ.get("COURSE_SITE")
    if not folder:
        pytest.skip("the built site is tested by `make test-site`, which builds it first (COURSE_SITE is not set)")
    folder = Path(folder)
    if not (folder / "index.html").is_file():
        pytest.fail(f"COURSE_SITE={folder} has no index.html: build the site with `make site`")
    return folder


@pytest.fixture(scope="module")
def crawled(browser, site):
    base, server = serve(site)
    visitor = Visitor(browser, base)
    try:
        yield base, crawl(visitor, base + "index.html"), visitor
    finally:
        visitor.close()
        server.shutdown()
        server.server_close()


def test_every_page_loads_from_the_site_alone_without_errors(crawled):
    base, reports, _ = crawled
    expected = {f"{base}{lesson.stem}.html" for lesson in LESSONS} | {
        base + p.replace(".md", ".html") for p in stage.DATASHEETS
    }
    assert expected <= set(reports), f"pages not reachable from the landing page: {sorted(expected - set(reports))}"
    found = [line for report in reports.values() for line in problems(report)]
    assert not found, "\n".join(found)


def test_every_internal_link_resolves(crawled):
    base, reports, _ = crawled
    broken = broken_links(reports, base)
    assert not broken, "\n".join(broken)


def test_the_landing_page_is_the_course_map(crawled):
    base, reports, _ = crawled
    index = reports[base + "index.html"]
    for lesson in LESSONS:
        assert f"{base}{lesson.stem}.html" in index.links
        assert {"href": curriculum.binder_url(lesson.stem), "loaded": True} in index.dom["badges"]
        assert {"href": curriculum.colab_url(lesson.stem), "loaded": True} in index.dom["badges"]
    assert len(index.dom["badges"]) == 2 * len(LESSONS)
    for datasheet in stage.DATASHEETS:
        assert base + datasheet.replace(".md", ".html") in index.links


def _executed(site: Path, stem: str) -> nbformat.NotebookNode:
    path = site.parent / "jupyter_execute" / f"{stem}.ipynb"  # where MyST-NB keeps what it ran
    if not path.is_file():
        pytest.fail(f"{path} is missing: MyST-NB writes each executed notebook there; rebuild with `make site`")
    return nbformat.read(path, as_version=4)


def _draws(nb: nbformat.NotebookNode) -> bool:
    return any(
        re.search(r"\bplt\.|\bplot_\w+\(|\.imshow\(", cell.source) for cell in nb.cells if cell.cell_type == "code"
    )


def _has_math(nb: nbformat.NotebookNode) -> bool:
    prose = "\n".join(re.sub(r"`[^`]*`", "", cell.source) for cell in nb.cells if cell.cell_type == "markdown")
    return re.search(r"\$[^$\n]+\$", prose) is not None


@pytest.mark.parametrize("position", range(len(LESSONS)), ids=[lesson.stem for lesson in LESSONS])
def test_each_notebook_page_shows_its_figures_math_widgets_badges_and_neighbours(crawled, site, position):
    base, reports, _ = crawled
    stem = LESSONS[position].stem
    report = reports[f"{base}{stem}.html"]
    source = nbformat.read(ROOT / "solutions" / f"{stem}.ipynb", as_version=4)
    executed = _executed(site, stem)
    figures = sum(
        1
        for cell in executed.cells
        for output in cell.get("outputs", [])
        if any(k.startswith("image/") for k in output.get("data", {}))
    )
    shown = [image for image in report.dom["images"] if image["output"]]
    assert all(image["loaded"] for image in shown), problems(report)
    assert len(shown) >= figures, (
        f"{stem}: the notebook drew {figures} figures, the page shows {len(shown)} images in outputs"
    )
    if _draws(source):
        assert len(shown) >= 1, f"{stem} draws figures but its page shows none"
    if _has_math(source):
        assert report.dom["typeset"] >= 1 and report.dom["typeset"] == report.dom["math"], (
            f"{stem}: {report.dom['typeset']} of {report.dom['math']} formulas typeset by MathJax"
        )
    if executed.metadata.get("widgets", {}).get("application/vnd.jupyter.widget-state+json", {}).get("state"):
        assert report.dom["widgetViews"] >= 1 and report.dom["widgetsRendered"] == report.dom["widgetViews"]
    assert report.dom["badges"] == [
        {"href": curriculum.binder_url(stem), "loaded": True},
        {"href": curriculum.colab_url(stem), "loaded": True},
    ]
    previous = LESSONS[position - 1].stem + ".html" if position else "index.html"
    following = (
        LESSONS[position + 1].stem + ".html"
        if position + 1 < len(LESSONS)
        else stage.DATASHEETS[0].replace(".md", ".html")
    )
    assert (report.dom["prev"], report.dom["next"]) == (previous, following)
    assert "colab-setup" not in json.dumps(report.dom)  # the Colab set-up cell is hidden


def _search(visitor: Visitor, word: str):
    """Type ``word`` into the search box of the landing page; return (result titles, summary)."""
    page = visitor.context.new_page()
    try:
        page.goto(visitor.base + "index.html", wait_until="load")
        page.keyboard.press("Control+k")
        box = page.locator("#pst-search-dialog input[name='q'], .bd-search input[name='q']").first
        box.fill(word)
        box.press("Enter")
        page.wait_for_url("**/search.html?q=*")
        summary = page.locator("#search-results .search-summary, #search-results p").first
        page.wait_for_function(
            "() => /found|did not match/i.test(document.querySelector('#search-results')?.textContent || '')"
        )
        titles = page.locator("#search-results ul.search li a").all_inner_texts()
        return titles, summary.inner_text()
    finally:
        page.close()


def test_search_finds_the_pages_that_mention_a_word(crawled):
    _, _, visitor = crawled
    titles, _ = _search(visitor, "Shapley")
    assert any(title.startswith("07") for title in titles), titles
    titles, summary = _search(visitor, "xylophonequartz")
    assert titles == [] and "did not match" in summary
