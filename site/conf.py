"""Sphinx configuration of the course's website (tools/build_site.py stages this folder with the pages).

Every script and font a page loads is served by the site itself: see tools/build_site.py for where each
comes from. Nothing is executed: the pages show the notebooks' committed outputs."""

import json
from pathlib import Path

course = json.loads((Path(__file__).parent / "course.json").read_text())

project = "How a neural network learns to classify"
author = "the course's authors"
copyright = "the course's authors (MIT licence); MNIST: Yann LeCun, Corinna Cortes, Christopher J.C. Burges (CC BY-SA 3.0)"

extensions = ["myst_nb", "sphinx_design"]
exclude_patterns = ["_build", "node_modules", "**.ipynb_checkpoints"]

# the notebooks as committed: never executed here
nb_execution_mode = "off"
nb_merge_streams = True
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence"]
myst_heading_anchors = 3
suppress_warnings = ["mystnb.unknown_mime_type"]

# MathJax 4 from the site (npm "mathjax"), configured by mathjax_config.js to take its font from the site too
mathjax_path = "mathjax/tex-mml-chtml.js"
mathjax_config_path = "mathjax_config.js"

# The widget manager from the site (npm "@jupyter-widgets/html-manager" and "requirejs"); widgets/config.js
# tells require.js where ipycanvas's module is. The CDN attribute points inside the site, so that a module
# the site lacks fails here, visibly, instead of being fetched from the internet.
nb_ipywidgets_js = {
    "widgets/require.js": {},
    "widgets/config.js": {},
    "widgets/html-manager/embed-amd.js": {"data-jupyter-widgets-cdn": "_static/widgets/missing/"},
}

html_theme = "sphinx_book_theme"
html_title = "How a neural network learns to classify"
html_static_path = ["_static"]
html_css_files = ["course.css"]
html_favicon = "_static/favicon.svg"
html_last_updated_fmt = None
html_copy_source = True  # the download button serves the page's notebook from _sources/
html_show_sourcelink = False
html_context = {"default_mode": "light"}  # else the theme logs an error on a first visit
html_theme_options = {
    "use_download_button": True,
    "show_toc_level": 2,
    "home_page_in_toc": True,
}
if course["repository"]:
    html_theme_options.update({"repository_url": f"https://github.com/{course['repository']}",
                               "use_repository_button": True, "path_to_docs": "notebooks"})
