"""Both languages are complete: every string of the sources has a Chinese translation with the
same placeholders, no template holds user-visible text outside ``_()``, and the services mark
every message they raise with ``N_`` (so the extraction finds it and the web translates it).

A new untranslated string in any template or view makes this file fail with the list of missing
msgids; ``make translations-update`` then adds them to the catalogue (README, "Translations").
"""

from __future__ import annotations

import ast
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
SERVICES = ROOT / "app" / "services"
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


def test_every_message_of_the_templates_views_and_services_has_a_chinese_translation():
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


def test_the_extraction_reads_the_messages_the_services_mark_with_n():
    files = {where.rsplit(":", 1)[0] for _forms, where in extracted_messages().values()}
    assert {"app/services/lists/keyset.py",
            "app/services/lists/definitions.py",
            "app/services/funds/reversals.py",
            "app/services/exchange/imports/rows.py",
            "app/services/exchange/imports/cells.py",
            "app/services/exchange/imports/ledgers.py",
            "app/services/exchange/imports/observations.py",
            "app/services/exchange/imports/registers.py",
            "app/services/exchange/imports/valuations.py",
            "app/services/reporting/builders/statement_data.py"} <= files
    assert 'row %(row)s, %(column)s: "%(value)s" %(message)s' in {
        msgid for _context, msgid in extracted_messages()}


# What the services raise or report to a user: a message given to these must be marked with N_.
_MESSAGE_CARRIERS = {"ValidationFailed", "Conflict", "CellError", "UnreadableFile", "Problem"}


def _plain_text(node: ast.expr) -> bool:
    """Whether an argument is (or holds) text written in place, which nothing translates."""
    if isinstance(node, ast.JoinedStr) or (isinstance(node, ast.Constant)
                                           and isinstance(node.value, str)):
        return True
    if isinstance(node, ast.BinOp):
        return _plain_text(node.left) or _plain_text(node.right)
    if isinstance(node, ast.List | ast.Tuple):
        return any(_plain_text(element) for element in node.elts)
    if isinstance(node, ast.Dict):  # {field: [messages]}: the keys are field names
        return any(_plain_text(value) for value in node.values)
    if isinstance(node, ast.IfExp):
        return _plain_text(node.body) or _plain_text(node.orelse)
    return False


def _calls(path: Path):
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Call):
            yield node, getattr(node.func, "id", None) or getattr(node.func, "attr", "")


def test_every_message_the_services_raise_or_report_is_marked_for_translation():
    unmarked = []
    for path in sorted(SERVICES.rglob("*.py")):
        for call, name in _calls(path):
            if name in _MESSAGE_CARRIERS:
                arguments = [*call.args, *(keyword.value for keyword in call.keywords)]
            elif name in ("error", "row_error") and len(call.args) >= 4:  # an import's row
                arguments = [call.args[3]]
            else:
                continue
            unmarked.extend(f"{path.relative_to(ROOT)}:{call.lineno}: {ast.unparse(a)[:70]}"
                            for a in arguments if _plain_text(a))
    assert not unmarked, "messages the web cannot translate (mark them with N_):\n" + "\n".join(
        unmarked)


def test_every_n_call_names_its_template_literally():
    """``N_(TEMPLATE, …)`` with a variable would be invisible to the extraction."""
    hidden = [f"{path.relative_to(ROOT)}:{call.lineno}"
              for path in sorted((ROOT / "app").rglob("*.py")) for call, name in _calls(path)
              if name == "N_" and not (call.args and isinstance(call.args[0], ast.Constant)
                                       and isinstance(call.args[0].value, str))]
    assert not hidden, f"N_ without a literal template: {hidden}"


def test_the_service_check_catches_plain_and_formatted_messages():
    raised = ast.parse('raise ValidationFailed(sort=f"{x} is bad", note=N_("is required"))')
    call = next(node for node in ast.walk(raised) if isinstance(node, ast.Call))
    assert [_plain_text(k.value) for k in call.keywords] == [True, False]
    assert _plain_text(ast.parse('{"code": ["is required"]}', mode="eval").body)
    assert not _plain_text(ast.parse('{"code": [N_("is required")]}', mode="eval").body)


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
