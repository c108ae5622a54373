"""A Sphinx extension that fails the build on raw HTML in a Markdown page.

MyST passes an HTML tag written in the text through to the page as it is: ``OUT/seed_<S>/``
outside backquotes becomes an unclosed ``<s>`` (strike-through) tag that strikes out the rest of
the page, and the text loses ``<S>``. No page of this site needs raw HTML, so every ``raw`` HTML
node of a Markdown source is reported as a warning, which ``make docs`` (``-W``) turns into an
error naming the page, the line and the tag. Write such text in backquotes (``OUT/seed_<S>/``)
or escape the bracket (``\\<S>``).
"""

from docutils import nodes
from sphinx.util import logging

logger = logging.getLogger(__name__)


def check_raw_html(app, doctree):
    """Warn about every raw HTML node of a Markdown document."""
    source = doctree.get("source", "") or ""
    if not source.endswith(".md"):
        return
    for node in doctree.findall(nodes.raw):
        if "html" not in node.get("format", "").split():
            continue
        text = node.astext().strip()
        logger.warning("raw HTML in Markdown: %r (put it in backquotes, or escape '<' as '\\<')",
                       text[:60], location=node, type="raw-html", subtype="markdown")


def setup(app):
    app.connect("doctree-read", check_raw_html)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}
