"""Fixtures for the text tests: forcing the pure-Python reference path."""
import pytest

from seqlab.text import _native


@pytest.fixture
def reference_path(monkeypatch):
    """Make every Tokenizer in the test use the pure-Python path."""
    monkeypatch.setattr(_native, "UNAVAILABLE_REASON", "forced by the test")
