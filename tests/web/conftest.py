import pytest

from .dataset import build_small_dataset


@pytest.fixture
def small_dataset(db):
    return build_small_dataset()


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # The personas' PBKDF2 hashes cost seconds per test; the hasher is not what these tests check.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
