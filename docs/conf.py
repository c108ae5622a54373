"""Sphinx configuration of the dualgan documentation (``make docs``, warnings are errors)."""

import os
import sys

# the packages are imported from the repository itself, installed or not
sys.path.insert(0, os.path.abspath(".."))

project = "dualgan"
copyright = "the dualgan authors, MIT licence"
author = "the dualgan authors"
release = "0.1.0"

extensions = [
    "myst_parser",
    "numpydoc",
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
]

source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
# SPEC.md is a page of its own through mathematics.md, which includes it
exclude_patterns = ["_build", "SPEC.md", "Thumbs.db", ".DS_Store"]

myst_enable_extensions = ["colon_fence"]
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
}
html_static_path = []
# the wide tables of the single pages get the room of the (empty) section navigation
html_sidebars = {page: [] for page in
                 ("index", "getting_started", "mathematics", "results", "design_notes", "guide/*")}
