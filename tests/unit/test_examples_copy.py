"""The worked examples of the specification are carried in tests/examples, byte for byte as they
were given (checked against the originals when they were copied in); the tests read only these
copies, so a fresh clone needs nothing outside the repository."""

import json

import pytest

from tests.factories import EXAMPLES

NAMES = ["sharing.json", "funds.json"]


@pytest.mark.parametrize("name", NAMES)
def test_the_copy_is_in_the_test_tree_and_reads_as_json(name):
    assert (EXAMPLES / name).is_file()
    assert json.loads((EXAMPLES / name).read_text(encoding="utf-8"))
