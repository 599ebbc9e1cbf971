"""The worked examples carried in tests/examples are the specification's own.

The repository never needs the specification folder: the tests read tests/examples. Where the
specification sits beside the repository (``../shared/examples``, as on the authors' machines), the
copies must still equal it byte for byte, so a corrected example there cannot go unnoticed here.
Elsewhere (a fresh clone, CI) the comparison is skipped.
"""

from pathlib import Path

import pytest

from tests.factories import EXAMPLES

ORIGINALS = Path(__file__).resolve().parents[2].parent / "shared" / "examples"
NAMES = ["sharing.json", "funds.json"]


@pytest.mark.parametrize("name", NAMES)
def test_the_copy_is_in_the_test_tree(name):
    assert (EXAMPLES / name).is_file()


@pytest.mark.parametrize("name", NAMES)
def test_the_copy_still_equals_the_specification_original(name):
    original = ORIGINALS / name
    if not original.is_file():
        pytest.skip(f"no specification beside the repository ({original})")
    assert (EXAMPLES / name).read_bytes() == original.read_bytes(), (
        f"tests/examples/{name} differs from {original}: copy the corrected example in")
