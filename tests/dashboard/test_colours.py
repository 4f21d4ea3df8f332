"""The cached colour sampler gives Plotly's own strings."""

import numpy as np
import pytest
from plotly.colors import sample_colorscale

from observatorio.dashboard.colours import sample


@pytest.mark.parametrize("name", ["Viridis", "Cividis"])
def test_same_strings_as_plotly(name):
    points = [0.0, 1.0, 0.5, 1 / 3, 0.999999, 1e-9] + np.random.default_rng(1).random(300).tolist()
    assert sample(name, points) == sample_colorscale(name, points)


def test_points_outside_the_scale_are_refused():
    with pytest.raises(ValueError, match="outside"):
        sample("Viridis", [1.5])
