"""Scenarios built once per session: the full Peñalolén demo and small rescaled ones."""

import pytest

from tests.conftest import DEMO_AS_OF as AS_OF  # the one as-of date of the tests

KEY = b"test-key-for-hashing-ruts-0123456789"


@pytest.fixture(scope="session")
def penalolen():
    from observatorio.demo.scenario import build_scenario

    return build_scenario("13122", seed=1, years=3, as_of=AS_OF, key=KEY)


@pytest.fixture(scope="session")
def small():
    from observatorio.demo.scenario import build_scenario

    return build_scenario("13122", seed=1, years=3, as_of=AS_OF, n_events=3000, key=KEY)
