"""A learner's kernel shows no TensorFlow start-up lines.

TensorFlow's C++ libraries write to the process's error output (file descriptor 2) while they
load. A Jupyter kernel forwards that descriptor into the notebook — except under pytest:
ipykernel stops capturing it when ``PYTEST_CURRENT_TEST`` is set, so the notebooks' nbval runs
cannot see these lines. This test starts a kernel as JupyterLab would (without that variable).
"""


import nbformat
from nbclient import NotebookClient

from tests.kernels import AsyncIpcKernelManager

CELLS = (
    "import course_utils\ncourse_utils.setup(seed=0)",
    "from course_utils import gradients, hidden, models\nmodel = models.load_pretrained('mlp')",
    "import numpy as np\nprint(model.predict(np.zeros((1, 28, 28)), verbose=0).shape)",
    "import sys\nprint('stderr still works', file=sys.stderr)",
)


def _stderr_of_each_cell(monkeypatch):
    monkeypatch.delenv("PYTEST_CURRENT_TEST", raising=False)
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(source) for source in CELLS]
    client = NotebookClient(nb, timeout=300, kernel_name="python3", kernel_manager_class=AsyncIpcKernelManager)
    client.execute()  # the kernel inherits this environment
    return ["".join(o.get("text", "") for o in cell.outputs if o.get("name") == "stderr") for cell in nb.cells]


def test_setup_and_the_keras_modules_print_nothing_to_stderr(monkeypatch):
    setup, imports, predict, own = _stderr_of_each_cell(monkeypatch)
    assert setup == "", f"setup() printed TensorFlow's start-up lines:\n{setup}"
    assert imports == "" and predict == ""
    assert own == "stderr still works\n"  # the learner's own stderr is not swallowed
