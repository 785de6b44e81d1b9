"""Fixtures for the text tests: running a test on the compiled and on the reference path."""
import pytest

from seqlab.text import Tokenizer, _native
from tests.helpers import require_kernel


@pytest.fixture
def reference_path(monkeypatch):
    """Make every Tokenizer in the test use the pure-Python path."""
    monkeypatch.setattr(_native, "UNAVAILABLE_REASON", "forced by the test")


@pytest.fixture(params=["compiled", "reference"])
def path(request):
    """Run the test once on each path."""
    if request.param == "reference":
        request.getfixturevalue("reference_path")
        assert Tokenizer().fast_path_reason == "forced by the test"
    else:
        require_kernel()
        assert Tokenizer().fast_path_reason is None
    return request.param
