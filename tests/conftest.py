"""Test-wide settings: hypothesis profiles.

CI replays the same examples every run ("ci"); locally hypothesis explores new ones
("dev"); ``pytest --hypothesis-profile=thorough`` runs many more.
"""
from hypothesis import HealthCheck, settings

from tests.helpers import IN_CI

# Fixtures used with @given (path switches, monkeypatch) hold for the whole test by design.
_common = dict(deadline=None,
               suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
settings.register_profile("ci", derandomize=True, max_examples=150, **_common)
settings.register_profile("dev", max_examples=150, **_common)
settings.register_profile("thorough", max_examples=3000, **_common)
settings.load_profile("ci" if IN_CI else "dev")
