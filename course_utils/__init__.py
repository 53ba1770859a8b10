"""Companion package of the course *Explaining Deep Learning Models*.

Importing it is quick: it imports neither TensorFlow nor scikit-learn. It does quieten
TensorFlow's start-up logging for the rest of the session (``TF_CPP_MIN_LOG_LEVEL``), so that a
notebook's first TensorFlow import prints nothing. Each notebook starts with :func:`setup`.

Modules, one idea each (import them by name). Every module of the package is listed here, and a
test keeps it so::

    Running the course
    course_utils.env                      the environment report of notebook 00; Keras imported quietly
    course_utils.colab                    what the first cell of every notebook does on Colab
    course_utils.curriculum               the course map, defined once (README table, notebook 00)
    course_utils.notebooks                one-source notebooks: solutions/ -> notebooks/, grade cells
    course_utils.grading                  an nbgrader course folder made from solutions/
    course_utils.smoke                    notebook 00's keyboard-free smoke test of every helper

    Data and models
    course_utils.datasets                 bundled, checksummed data: MNIST digits, synthetic credit
    course_utils.tabular                  the one credit model that Parts III and IV explain
    course_utils.models                   the pretrained MNIST MLP and CNN, their logits

    Shared rules
    course_utils.validation               input rules: counts, batches, labels, models, batching
    course_utils.keras_graph              the one walk of a Keras model's layer graph
    course_utils.explanation              Attribution, the result every explainer returns

    Part I — linear foundations (01-03)
    course_utils.linear                   linear systems, least squares, collinearity
    course_utils.svm                      perceptron, hinge loss, a linear SVM and its margin
    course_utils.mlp                      an MLP and its backward pass in NumPy
    course_utils.gradcheck                centred differences and a gradient comparison table

    Part II — inside the network (04-05)
    course_utils.calibration              reliability bins, calibration error, temperature scaling
    course_utils.hidden                   the output of any layer; Dense weights as images
    course_utils.units                    what one unit does: per example, per class, how often
    course_utils.probes                   linear probes and 2-D maps of representations
    course_utils.activation_maximization  the input that excites a unit most

    Part III — explaining one prediction (06-08)
    course_utils.gradients                saliency, gradient x input, SmoothGrad, IG, Grad-CAM
    course_utils.shapley                  Shapley values: exact, of games, KernelSHAP
    course_utils.lime                     LIME as weighted ridge regression, tabular and image

    Part IV — trusting explanations (09-13)
    course_utils.global_importance        permutation importance, PDP, ICE, ALE, regularization paths
    course_utils.counterfactuals          Wachter counterfactuals, principal reasons for a decision
    course_utils.metrics                  scoring explanations: deletion curves, agreement, sanity checks
    course_utils.decoy                    Decoy MNIST: a planted shortcut, and the penalty that removes it
    course_utils.attacks                  fooled explainers, membership leakage, fragile saliency
    course_utils.quantization             int8 weights by hand: explain the model you deploy
    course_utils.capstone                 the capstone's lending data, its model and its known truth

    Pictures
    course_utils.plots                    decision regions, weight images, the neuron explorer
    course_utils.attribution_plots        heatmaps, bar charts, segments, local surrogates

    Feedback
    course_utils.checks                   instant, kind feedback for exercises (one module per notebook)
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

