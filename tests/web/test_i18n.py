"""Both languages are complete: every string of the sources has a Chinese translation with the
same placeholders, and no template holds user-visible text outside ``_()``.

A new untranslated string in any template or view makes this file fail with the list of missing
msgids; ``make translations-update`` then adds them to the catalogue (README, "Translations").
"""

from __future__ import annotations

import functools
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "app" / "templates"
CATALOGUE = ROOT / "app" / "translations" / "zh" / "LC_MESSAGES" / "messages.po"

# The keywords of the code, the same as the Makefile's `translations-update` passes to pybabel.
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None, "lazy_ngettext": (1, 2),
            "lazy_pgettext": ((1, "c"), 2)}

# Latin words that may stand in a template outside _(): names of formats, standards, ratios and
# time zones that read the same in both languages. Keep it short.
ALLOWED_WORDS = {"API", "CSV", "XLSX", "PDF", "JSON", "UTC", "TVPI", "DPI", "RVPI", "IRR", "MOIC",
                 "NAV", "USCC", "SHA", "GB", "SVG"}

_PLACEHOLDER = re.compile(r"%\(\w+\)[a-z]|%%")
_LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*[A-Za-z]")
_CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")
_JINJA = re.compile(r"\{#.*?#\}|\{%.*?%\}|\{\{.*?\}\}", re.S)
_VISIBLE_ATTRIBUTES = ("title", "placeholder", "aria-label", "alt")


@functools.cache
def extracted_messages() -> dict[tuple[str | None, str], tuple[tuple[str, ...], str]]:
    """Every message of the sources: (context, msgid) → (all its forms, where it is)."""
    with (ROOT / "babel.cfg").open(encoding="utf-8") as config:
        method_map, options_map = parse_mapping_cfg(config)
    found = {}
    for filename, lineno, message, _comments, context in extract_from_dir(
            str(ROOT), method_map, options_map, keywords=KEYWORDS):
        forms = message if isinstance(message, tuple) else (message,)
        if forms[0]:
            found.setdefault((context, forms[0]), (forms, f"{filename}:{lineno}"))
    return found


def _catalogue():
    with CATALOGUE.open("rb") as source:
        return read_po(source, locale="zh")


def _placeholders(text: str) -> list[str]:
    return sorted(_PLACEHOLDER.findall(text)) + ["%"] * text.count("%")


def test_the_sources_have_messages_to_translate():
    assert len(extracted_messages()) > 300  # the extraction itself works (keywords, babel.cfg)


def test_every_message_of_the_templates_and_views_has_a_chinese_translation():
    catalogue = _catalogue()
    missing = []
    for (context, msgid), (_forms, where) in sorted(extracted_messages().items(),
                                                     key=lambda item: item[1][1]):
        message = catalogue.get(msgid, context=context)
        strings = () if message is None else (
            message.string if isinstance(message.string, tuple) else (message.string,))
        if message is None or message.fuzzy or not all(s.strip() for s in strings) \
                or not strings:
            missing.append(f"{where}: {msgid!r}")
    assert not missing, (
        f"{len(missing)} message(s) without a Chinese translation in {CATALOGUE.name} "
        "(run `make translations-update`, then translate them):\n" + "\n".join(missing))


def test_every_translation_keeps_the_placeholders_of_its_message():
    wrong = []
    for message in _catalogue():
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        expected = {tuple(_placeholders(i)) for i in ids}
        for string in strings:
            if string and tuple(_placeholders(string)) not in expected:
                wrong.append(f"{ids[0]!r} → {string!r}")
    assert not wrong, "translations whose placeholders differ:\n" + "\n".join(wrong)


def test_the_compiled_catalogue_is_not_older_than_its_source():
    compiled = CATALOGUE.with_suffix(".mo")
    assert compiled.exists(), "compile with `make translations`"
    assert compiled.stat().st_mtime >= CATALOGUE.stat().st_mtime


class _VisibleText(HTMLParser):
    """Collects the text nodes and visible attributes of a template stripped of Jinja."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1
        attrs = dict(attrs)
        self.texts.extend(attrs[a] for a in _VISIBLE_ATTRIBUTES if attrs.get(a))
        if tag == "input" and attrs.get("type") in ("submit", "button") and attrs.get("value"):
            self.texts.append(attrs["value"])

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip and data.strip():
            self.texts.append(data.strip())


def _hard_coded(template: Path) -> list[str]:
    """The words of ``template`` a user would read that do not go through _()."""
    parser = _VisibleText()
    parser.feed(_JINJA.sub(" ", template.read_text(encoding="utf-8")))
    found = []
    for text in parser.texts:
        words = [w for w in _LATIN_WORD.findall(text) if w not in ALLOWED_WORDS]
        if words or _CJK.search(text):
            found.append(text)
    return found


@pytest.mark.parametrize("template", sorted(TEMPLATES.rglob("*.html")),
                         ids=lambda path: str(path.relative_to(TEMPLATES)))
def test_no_template_holds_user_visible_text_outside_gettext(template):
    found = _hard_coded(template)
    assert not found, f"hard-coded text in {template.relative_to(ROOT)} (wrap it in _()): {found}"


def test_the_template_check_catches_hard_coded_english_and_chinese(tmp_path):
    page = tmp_path / "page.html"
    page.write_text('<h1>{{ _("Funds") }}</h1><p title="Total amount">{{ x|amount }} XLSX</p>'
                    "<td>合计</td><script>var notText = 1;</script>{# a comment #}",
                    encoding="utf-8")
    assert _hard_coded(page) == ["Total amount", "合计"]
