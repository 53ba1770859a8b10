"""Shared test set-up: a non-interactive matplotlib backend, and no test may call plt.show()."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402


@pytest.fixture(autouse=True)
def _no_show(monkeypatch):
    """Plot helpers return axes and never show; fail loudly if one calls plt.show()."""

    def forbidden(*args, **kwargs):
        raise AssertionError("a plot helper called plt.show()")

    monkeypatch.setattr(plt, "show", forbidden)
    yield
    plt.close("all")
