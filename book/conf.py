"""Sphinx configuration of the course website (``make site``; sources laid out by book/stage.py).

Sphinx + MyST-NB (the engine of Jupyter Book 1) with the Sphinx Book Theme. MyST-NB executes
each notebook once per build. Every asset a page loads is served by the site itself: MathJax 3
with its fonts, RequireJS and the Jupyter widgets manager sit in ``_static/vendor/``; the theme
ships its own fonts and icons.
"""

from course_utils.notebooks import repository_url

project = "Explaining Deep Learning Models"
author = "the course's authors"
copyright = "the course's authors; code MIT, MNIST CC BY-SA 3.0"
html_title = project

extensions = ["myst_nb"]
exclude_patterns = ["_build", "jupyter_execute", "**.ipynb_checkpoints", "_static"]
myst_enable_extensions = ["dollarmath", "amsmath"]
myst_heading_anchors = 3
suppress_warnings = ["mystnb.unknown_mime_type"]

# Execution: every notebook once, top to bottom, in the build's own kernel; an error stops the build.
nb_execution_mode = "force"
nb_execution_timeout = 300  # seconds per cell
nb_execution_raise_on_error = True
nb_execution_show_tb = True
nb_merge_streams = True
# Markdown printed by a cell (notebook 00's course map) is read as MyST, like the notebook's own
# text: tables render, and links to other notebooks become links to their pages.
nb_render_markdown_format = "myst"
# Standard error never reaches a page; each stream removed is named in the build log. (TensorFlow's
# C++ start-up lines arrive there; nbval does not see them, since ipykernel does not capture
# file-descriptor output under pytest.)
nb_output_stderr = "remove-warn"

# Math: MathJax 3 from the site (path relative to _static/), also inside cell outputs.
mathjax_path = "vendor/mathjax/tex-chtml.js"
mathjax3_config = {"options": {"processHtmlClass": "tex2jax_process|mathjax_process|math|output_area"}}

# Widgets keep the state they had when the notebook ran: sliders show, figures under them too.
# Only the core widget modules are used, which the manager bundles; any other module would be
# looked up under _static/vendor/widgets/ (and fail the site test), never on a CDN.
nb_ipywidgets_js = {
    "vendor/require.js": {},
    "widgets-config.js": {},
    "vendor/html-manager/embed-amd.js": {"data-jupyter-widgets-cdn": "_static/vendor/widgets/"},
}

html_theme = "sphinx_book_theme"
html_static_path = ["_static"]
html_css_files = ["course.css"]
html_theme_options = {
    "repository_url": repository_url(),
    "repository_branch": "main",
    "use_repository_button": True,
    "use_download_button": False,
    "use_fullscreen_button": False,
    "show_toc_level": 2,
    "secondary_sidebar_items": {"**": ["page-toc"], "index": []},  # the course map gets the width
}
html_show_sourcelink = False
html_context = {"default_mode": "light"}  # unset, the theme logs a console error on a first visit
