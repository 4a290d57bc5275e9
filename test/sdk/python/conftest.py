import pytest

from emulator import Emulator


@pytest.fixture(scope="session")
def _strict():
    emulator = Emulator("strict")
    yield emulator
    emulator.stop()


@pytest.fixture(scope="session")
def _permissive():
    emulator = Emulator("permissive")
    yield emulator
    emulator.stop()


@pytest.fixture
def strict(_strict):
    """A strict-mode emulator, as the fixtures made it."""
    _strict.reset()
    return _strict


@pytest.fixture
def permissive(_permissive):
    """A permissive-mode emulator, as the fixtures made it."""
    _permissive.reset()
    return _permissive
