"""A fund dashboard in English and in Chinese: screenshots under build/screenshots/ and the checks
a reader of them would make (language, labels, chart drawn, no sideways scrolling, real glyphs)."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.e2e.pages import SCREENSHOTS, nav, switch_language

MANAGER2 = "manager2@demo.example"  # a user of their own: the language they pick is remembered
FUND = "GD-01"

# Draws two different characters with the page's own font stack: with no CJK font both come out
# as the same missing-glyph box ("tofu"), with one they differ.
GLYPHS_DIFFER = """() => {
  const font = getComputedStyle(document.body).fontFamily;
  const draw = (ch) => {
    const canvas = document.createElement('canvas');
    canvas.width = 48; canvas.height = 48;
    const ctx = canvas.getContext('2d');
    ctx.font = '40px ' + font;
    ctx.fillText(ch, 2, 40);
    return Array.from(ctx.getImageData(0, 0, 48, 48).data).join(',');
  };
  const a = draw('基'), b = draw('金'), blank = draw(' ');
  return a !== b && a !== blank && b !== blank;
}"""


# The texts of the page's SVG charts that stick out of their chart (and so are cut off).
CLIPPED_TEXTS = """(charts) => charts.flatMap((svg) => {
  const box = svg.getBoundingClientRect();
  return Array.from(svg.querySelectorAll('text')).filter((t) => {
    const r = t.getBoundingClientRect();
    return r.width > 0 && (r.left < box.left - 1 || r.right > box.right + 1
                           || r.top < box.top - 1 || r.bottom > box.bottom + 1);
  }).map((t) => t.textContent);
})"""


def _dashboard_facts(page: Page, name: str) -> dict:
    """Screenshot the dashboard to build/screenshots/<name>.png and read what a reader checks."""
    charts = page.get_by_role("img").locator("xpath=self::*[local-name()='svg']")
    chart = charts.first
    expect(chart).to_be_visible()
    box = chart.bounding_box()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
    return {
        "lang": page.locator("html").get_attribute("lang"),
        "key_figures": page.get_by_role("heading", level=2).first.inner_text(),
        "title": page.title(),
        "chart_box": box,
        "scroll_width": page.evaluate("document.documentElement.scrollWidth"),
        "viewport_width": page.viewport_size["width"],
        "glyphs_differ": page.evaluate(GLYPHS_DIFFER),
        "clipped_texts": charts.evaluate_all(CLIPPED_TEXTS),
        "headings": page.get_by_role("heading").all_inner_texts(),
        "chart_texts": charts.evaluate_all(
            "(charts) => charts.flatMap((svg) => Array.from(svg.querySelectorAll('text'),"
            " (t) => t.textContent))"),
    }


def test_fund_dashboard_in_english_and_chinese(signed_in):
    page = signed_in(MANAGER2)
    nav(page, "Funds")
    page.get_by_role("link", name=FUND, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(FUND)
    english = _dashboard_facts(page, "fund-dashboard-en")

    switch_language(page, "中文")
    expect(page.get_by_role("heading", level=1)).to_contain_text(FUND)  # the same page
    chinese = _dashboard_facts(page, "fund-dashboard-zh")

    assert english["lang"] == "en"
    assert chinese["lang"].startswith("zh")
    assert english["key_figures"].startswith("Key figures")
    assert english["key_figures"] != chinese["key_figures"]
    assert re.search(r"[\u4e00-\u9fff]", chinese["key_figures"]), chinese["key_figures"]
    assert english["title"] != chinese["title"]
    for facts in (english, chinese):
        assert facts["chart_box"]["width"] > 100 and facts["chart_box"]["height"] > 50, facts
        assert facts["scroll_width"] <= facts["viewport_width"], facts  # no sideways scrolling
        assert facts["glyphs_differ"], "Chinese characters render as tofu: install fonts-noto-cjk"
    untranslated = [h for h in chinese["headings"] if not re.search(r"[\u4e00-\u9fff]", h)]
    assert untranslated == [], f"headings left in English on the Chinese dashboard: {untranslated}"
    english_words = [t for t in chinese["chart_texts"] if re.search(r"[A-Za-z]{3,}", t)]
    assert english_words == [], f"chart texts left in English in Chinese: {english_words}"
    assert any(re.search(r"[A-Za-z]{3,}", t) for t in english["chart_texts"])
    for facts in (english, chinese):
        assert facts["clipped_texts"] == [], f"chart labels cut off: {facts['clipped_texts']}"
