"""Sphinx configuration of the dualgan documentation (``make docs``, warnings are errors)."""

import os
import sys

# the packages are imported from the repository itself, installed or not
sys.path.insert(0, os.path.abspath(".."))
# the site's own extensions (docs/_ext)
sys.path.insert(0, os.path.abspath("_ext"))

project = "dualgan"
copyright = "the dualgan authors, MIT licence"
author = "the dualgan authors"
release = "0.1.0"

extensions = [
    "myst_parser",
    "no_raw_html",
    "numpydoc",
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
]

source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
# SPEC.md is a page of its own through mathematics.md, which includes it
# data: the study tables kept in the repository, not pages
exclude_patterns = ["_build", "_ext", "SPEC.md", "data", "Thumbs.db", ".DS_Store"]

# $...$ and $$...$$ (dollarmath) and LaTeX environments (amsmath), rendered by MathJax
myst_enable_extensions = ["colon_fence", "dollarmath", "amsmath"]
myst_dmath_double_inline = True
myst_heading_anchors = 3

autodoc_default_options = {"members": True, "member-order": "bysource"}
autodoc_typehints = "none"
autosummary_generate = True
templates_path = ["_templates"]
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False

html_theme = "pydata_sphinx_theme"
html_title = "dualgan"
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
    # every page of the (short) top bar in one line at 1,400 px, none hidden under "More"
    "header_links_before_dropdown": 9,
    # the top bar's links start at the left, leaving the search and theme buttons room beside
    "navbar_align": "left",
}
html_static_path = []
# the wide tables of the single pages get the room of the (empty) section navigation
html_sidebars = {page: [] for page in
                 ("index", "getting_started", "mathematics", "results", "design_notes", "guide/*")}
