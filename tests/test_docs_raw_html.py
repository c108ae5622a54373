"""``make docs`` fails on raw HTML in a Markdown page (issue 32, item 1): the site's extension
``docs/_ext/no_raw_html.py``, run by Sphinx with warnings as errors on a two-page site."""

import pytest

from conftest import ROOT

pytest.importorskip("myst_parser")
build = pytest.importorskip("sphinx.cmd.build")
# myst-parser's own use of an API that Sphinx deprecates, not this project's
pytestmark = pytest.mark.filterwarnings(
    "ignore:'sphinx.environment.BuildEnvironment.app' is deprecated")

CONF = f"""
import sys
sys.path.insert(0, {str(ROOT / "docs" / "_ext")!r})
extensions = ["myst_parser", "no_raw_html"]
myst_enable_extensions = ["dollarmath", "amsmath"]
"""


def _build(tmp_path, page):
    source = tmp_path / "src"
    source.mkdir()
    (source / "conf.py").write_text(CONF)
    (source / "index.md").write_text("# Home\n\n```{toctree}\npage\n```\n")
    (source / "page.md").write_text(page)
    return build.build_main(["-q", "-W", "-b", "html", str(source), str(tmp_path / "html")])


def test_a_stray_tag_fails_the_build(tmp_path, capsys):
    code = _build(tmp_path, "# Page\n\nEach seed has OUT/seed_<S>/ as its folder.\n")
    assert code != 0
    assert "raw HTML in Markdown: '<S>'" in capsys.readouterr().err


def test_the_same_text_in_backquotes_and_rendered_math_build(tmp_path):
    page = "# Page\n\nEach seed has `OUT/seed_<S>/`; $a < b$ and\n\n$$\nx^2 > 0\n$$\n"
    assert _build(tmp_path, page) == 0
    html = (tmp_path / "html" / "page.html").read_text()
    assert "seed_&lt;S&gt;/" in html and "<s>" not in html.lower()
    assert r"\(a &lt; b\)" in html  # MathJax's inline delimiters


def test_the_mathematics_page_is_rendered_math_and_cites_nothing_outside(tmp_path):
    import re
    import shutil

    source = tmp_path / "src"
    source.mkdir()
    (source / "conf.py").write_text(CONF + 'exclude_patterns = ["SPEC.md"]\n')
    for name in ("SPEC.md", "mathematics.md"):
        shutil.copy(ROOT / "docs" / name, source / name)
    (source / "index.md").write_text("# Home\n\n```{toctree}\nmathematics\n```\n")
    assert build.build_main(["-q", "-W", "-b", "html", str(source), str(tmp_path / "html")]) == 0
    html = (tmp_path / "html" / "mathematics.html").read_text()
    assert len(re.findall(r'class="math', html)) >= 100  # every formula, inline and displayed
    code = " ".join(re.findall(r"<code[^>]*>(.*?)</code>", html, flags=re.S))
    assert not re.search("[σλθ∇‖Σ≤≥∈φδψβ]", code), "a formula left in code"
    assert "hw5" not in html and "seed/" not in html  # no file outside the repository
