"""Companion package of the course *Explaining Deep Learning Models*.

Importing it is quick: it imports neither TensorFlow nor scikit-learn. It does quieten
TensorFlow's start-up logging for the rest of the session (``TF_CPP_MIN_LOG_LEVEL``), so that a
notebook's first TensorFlow import prints nothing. Each notebook starts with :func:`setup`.

Modules, one idea each (import them by name)::

    course_utils.datasets   bundled, checksummed data: MNIST digits, synthetic credit
    course_utils.checks     instant feedback for exercises
    course_utils.env        the environment report of notebook 00
    course_utils.notebooks  one-source notebooks: solutions/ -> notebooks/
    course_utils.colab      what the first cell of every notebook does on Colab
"""

from __future__ import annotations

import os
import random

__version__ = "0.1.0"
__all__ = ["setup", "__version__"]

# Must be set before TensorFlow is first imported; setdefault keeps a learner's own choice.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")  # C++ INFO/WARNING/ERROR lines
os.environ.setdefault("KERAS_BACKEND", "tensorflow")


def setup(seed: int = 0, *, tensorflow: bool = True, quiet: bool = False) -> None:
    """Prepare a notebook: quiet logs, fixed seeds, one line about the environment.

    Parameters
    ----------
    seed : int
        Seed for Python's ``random``, NumPy's global generator and, with ``tensorflow=True``,
        Keras/TensorFlow (``keras.utils.set_random_seed``).
    tensorflow : bool
        Import TensorFlow now and seed it. Notebooks that never touch TensorFlow pass ``False``
        and start faster.
    quiet : bool
        Do not print the summary line.

    Examples
    --------
    >>> import course_utils
    >>> course_utils.setup(seed=0, tensorflow=False, quiet=True)
    """
    import numpy as np

    random.seed(seed)
    np.random.seed(seed)
    if tensorflow:
        from course_utils.env import import_keras

        keras = import_keras()  # without TensorFlow's start-up lines
        # Clearing the session drops the global SeedGenerator that keras.random uses without a
        # seed; set_random_seed only drops it itself from Keras 3.13 on, so without this a second
        # setup() would not repeat the first one's draws on older Keras.
        keras.utils.clear_session()
        keras.utils.set_random_seed(seed)
    if not quiet:
        from course_utils.env import summary_line

        print(summary_line(seed=seed))

