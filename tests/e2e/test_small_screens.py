"""Small screens (390 px, a phone) and a bureau's desktop (1366 px): no page scrolls sideways
(tables and the grid scroll inside their own box), and the navigation collapses into a menu on the
phone but stays a bar on the desktop. Screenshots of home at 390 px go to build/screenshots/."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.e2e.conftest import PASSWORDS
from tests.e2e.pages import SCREENSHOTS

PHONE, DESKTOP = 390, 1366
ADMIN, BUREAU = "admin@demo.example", "bureau.heyuan@demo.example"

# The page's width and the window's, and the outermost elements that stick out (to say why).
OVERFLOW = """() => {
  const width = window.innerWidth;
  const clipped = (e) => {  // inside a box that scrolls or clips (a table's own box)
    for (let a = e.parentElement; a && a !== document.body; a = a.parentElement) {
      if (getComputedStyle(a).overflowX !== 'visible') return true;
    }
    return false;
  };
  const out = Array.from(document.querySelectorAll('body *')).filter((e) => {
    const r = e.getBoundingClientRect();
    const p = e.parentElement.getBoundingClientRect();
    return r.width > 0 && r.right > width + 1 && p.right <= width + 1 && !clipped(e);
  }).slice(0, 5).map((e) => e.tagName.toLowerCase() + (e.className ? '.' + e.className : '')
                   + ' ' + Math.round(e.getBoundingClientRect().right));
  return {scroll_width: document.documentElement.scrollWidth, inner_width: width, out: out};
}"""


def _overflow(page: Page, url: str, width: int) -> dict | None:
    """Open ``url`` at ``width`` px; what sticks out if the page scrolls sideways, else None."""
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(url)
    facts = page.evaluate(OVERFLOW)
    return None if facts["scroll_width"] <= facts["inner_width"] else facts


def _link(page: Page, url: str, name: str) -> str:
    """The address of the first link called ``name`` on the page at ``url``."""
    page.goto(url)
    return page.get_by_role("main").get_by_role("link", name=name, exact=True).first.get_attribute(
        "href")


def _main_pages(page: Page) -> list[str]:
    """The main pages an administrator reaches, found by following links: the lists, a fund's
    dashboard, an agreement, its statement and observation grid, the audit trail."""
    fund = _link(page, "/funds/", "GD-01")
    agreements = page.locator("main table tbody a[href^='/agreements/']")
    page.goto("/agreements/")
    agreement = agreements.first.get_attribute("href")
    statement = _link(page, agreement, "Statement")
    grid = _link(page, agreement, "Observations")
    return ["/funds/", "/projects/", "/agreements/", "/observations/", fund, agreement, statement,
            grid, "/audit/"]


def test_no_page_scrolls_sideways_at_390_and_1366_px(signed_in):
    wide = {}
    for email in PASSWORDS:  # each demo user's home
        page = signed_in(email)
        for width in (PHONE, DESKTOP):
            wide[f"{email} / at {width}"] = _overflow(page, "/", width)
        if email == ADMIN:
            page.set_viewport_size({"width": DESKTOP, "height": 900})
            for url in _main_pages(page):
                for width in (PHONE, DESKTOP):
                    wide[f"{url} at {width}"] = _overflow(page, url, width)
        if email == BUREAU:
            page.goto("/")
            region = page.get_by_role("navigation").get_by_role(
                "link", name="My region", exact=True).get_attribute("href")
            for width in (PHONE, DESKTOP):
                wide[f"{region} at {width}"] = _overflow(page, region, width)
    assert len(wide) == 2 * (len(PASSWORDS) + 10)
    assert {k: v for k, v in wide.items() if v} == {}, "pages that scroll sideways"


def _header(page: Page) -> dict:
    box = page.locator("header.topbar").bounding_box()
    return {"height": box["height"],
            "menu": page.get_by_role("button", name="Menu").is_visible(),
            "nav": page.get_by_role("navigation").get_by_role("link", name="Funds").is_visible()}


def test_navigation_is_a_menu_on_a_phone_and_a_bar_on_a_desktop(signed_in):
    page = signed_in(ADMIN)
    page.set_viewport_size({"width": DESKTOP, "height": 900})
    page.goto("/")
    desktop = _header(page)
    assert desktop["nav"] and not desktop["menu"], desktop
    assert desktop["height"] < 70, desktop  # one bar

    page.set_viewport_size({"width": PHONE, "height": 900})
    page.goto("/")
    closed = _header(page)
    assert closed["menu"] and not closed["nav"], closed
    assert closed["height"] < 70, closed  # the brand, the language switch and the menu button
    menu = page.get_by_role("button", name="Menu")
    expect(menu).to_have_attribute("aria-expanded", "false")
    menu.click()
    expect(menu).to_have_attribute("aria-expanded", "true")
    page.get_by_role("navigation").get_by_role("link", name="Funds").click()
    expect(page).to_have_url(f"{page.url.split('/funds')[0]}/funds/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()


def test_home_at_390_px_in_chinese_and_english(signed_in):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for language, name in (("中文", "zh"), ("English", "en")):
        page = signed_in("manager@demo.example", language=language)
        page.set_viewport_size({"width": PHONE, "height": 900})
        page.goto("/")
        page.screenshot(path=str(SCREENSHOTS / f"home-390-{name}.png"), full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE
        assert page.locator("header.topbar").bounding_box()["height"] < 70


# Each link of the navigation: on how many lines its text is laid out (a range over the text
# has one box per line, whatever the height the bar stretches the link to), and its top.
NAV_LINES = """() => Array.from(document.querySelectorAll('#topnav a')).map((a) => {
  const range = document.createRange();
  range.selectNodeContents(a);
  const tops = new Set(Array.from(range.getClientRects()).map((r) => Math.round(r.top)));
  return {text: a.textContent.trim(), lines: tops.size,
          top: Math.round(a.getBoundingClientRect().top)};
})"""


def test_the_navigation_is_one_row_of_one_line_links_at_1366_px_in_both_languages(signed_in):
    """An administrator has the most links (the audit trail and users too); with the header's
    search box beside them, no label wraps to a second line and the header stays one row."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for language, name in (("English", "en"), ("中文", "zh")):
        page = signed_in(ADMIN, language=language)
        page.set_viewport_size({"width": DESKTOP, "height": 900})
        page.goto("/audit/")
        page.locator("header.topbar").screenshot(path=str(SCREENSHOTS / f"header-1366-{name}.png"))
        links = page.evaluate(NAV_LINES)
        assert len(links) >= 8, links
        assert [link for link in links if link["lines"] != 1] == [], f"wrapped in {name}"
        assert len({link["top"] for link in links}) == 1, f"more than one row in {name}: {links}"
        assert page.locator("header.topbar").bounding_box()["height"] < 70
        assert page.locator("header .header-search input").is_visible()
