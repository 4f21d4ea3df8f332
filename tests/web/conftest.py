import pytest

from .dataset import build_small_dataset


@pytest.fixture
def small_dataset(db):
    return build_small_dataset()
