"""What is this notebook running on? The environment report of notebook 00.

Honours the limits that hosted services set: Binder exports ``CPU_LIMIT`` and ``MEM_LIMIT``
(the Kubernetes limits of the pod, smaller than what ``os.cpu_count()`` sees), Colab is detected
by its ``google.colab`` module or ``COLAB_RELEASE_TAG``.
"""

from __future__ import annotations

import contextlib
import importlib.metadata
import logging
import os
import platform
import sys
import warnings

__all__ = [
    "where",
    "cpu_count",
    "memory_gb",
    "versions",
    "report",
    "summary_line",
    "silence_tensorflow",
    "import_keras",
]

PACKAGES = ("numpy", "scikit-learn", "tensorflow", "keras", "shap", "lime", "matplotlib", "ipywidgets")


def where() -> str:
    """Return ``"colab"``, ``"binder"`` or ``"local"``."""
    if "google.colab" in sys.modules or "COLAB_RELEASE_TAG" in os.environ:
        return "colab"
    if "BINDER_SERVICE_HOST" in os.environ or "BINDER_REQUEST" in os.environ or "BINDER_REF_URL" in os.environ:
        return "binder"
    return "local"


def cpu_count() -> float:
    """CPUs this process may use: Binder's ``CPU_LIMIT`` if set, else the CPU affinity mask."""
    limit = os.environ.get("CPU_LIMIT", "").strip()
    if limit:
        try:
            value = float(limit)
            if value > 0:
                return value
        except ValueError:
            pass
    if hasattr(os, "sched_getaffinity"):
        return float(len(os.sched_getaffinity(0)))
    return float(os.cpu_count() or 1)


def memory_gb() -> float:
    """Memory this process may use in GB: Binder's ``MEM_LIMIT`` (bytes) if set, else the total."""
    limit = os.environ.get("MEM_LIMIT", "").strip()
    if limit:
        try:
            value = float(limit)
            if value > 0:
                return value / 1e9
        except ValueError:
            pass
    import psutil

    return psutil.virtual_memory().total / 1e9


def versions(packages: tuple[str, ...] = PACKAGES) -> dict[str, str]:
    """Installed version of each distribution (``"not installed"`` if missing), plus Python.

    TensorFlow may be installed as ``tensorflow`` or ``tensorflow-cpu``; both are reported as
    ``tensorflow``.
    """
    found = {"python": platform.python_version()}
    for name in packages:
        candidates = ("tensorflow", "tensorflow-cpu") if name == "tensorflow" else (name,)
        found[name] = "not installed"
        for candidate in candidates:
            try:
                found[name] = importlib.metadata.version(candidate)
                break
            except importlib.metadata.PackageNotFoundError:
                continue
    return found


def report() -> dict[str, object]:
    """Everything the environment report shows, as a dict (no printing, no TensorFlow import)."""
    return {
        "where": where(),
        "platform": f"{platform.system()} {platform.machine()}",
        "cpus": cpu_count(),
        "memory_gb": round(memory_gb(), 1),
        "versions": versions(),
    }


def summary_line(*, seed: int | None = None) -> str:
    """One line for the top of a notebook: package, Python, TensorFlow, CPUs, place, seed."""
    from course_utils import __version__

    v = versions(("tensorflow", "keras"))
    parts = [
        f"course_utils {__version__}",
        f"Python {v['python']}",
        f"TensorFlow {v['tensorflow']} (Keras {v['keras']})",
        f"{cpu_count():g} CPUs",
        where(),
    ]
    if seed is not None:
        parts.append(f"seed {seed}")
    return " · ".join(parts)


def silence_tensorflow() -> None:
    """Quieten TensorFlow's start-up noise: C++ logs, Python/absl loggers, deprecation warnings.

    Safe to call before or after TensorFlow is imported; it never imports TensorFlow itself.
    """
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    for name in ("tensorflow", "absl", "h5py"):
        logging.getLogger(name).setLevel(logging.ERROR)
    warnings.filterwarnings("ignore", category=DeprecationWarning, module=r"(tensorflow|keras|tf_keras)")
    warnings.filterwarnings("ignore", message=r".*np\.find_common_type.*")


@contextlib.contextmanager
def _error_output_discarded():
    """Send the process's error output (file descriptor 2) to /dev/null for a moment.

    TensorFlow's C++ libraries write start-up lines ("All log messages before absl::InitializeLog()
    is called…", "oneDNN custom operations are on…") straight to file descriptor 2 while they load,
    whatever ``TF_CPP_MIN_LOG_LEVEL`` says; a Jupyter kernel forwards that descriptor into the
    notebook as red stderr text. Python's own ``sys.stderr`` (an exception's traceback) is
    restored before anything is raised.
    """
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, ValueError):  # no file descriptor 2 (an unusual embedding): nothing to silence
        yield
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


def import_keras():
    """Import Keras (and TensorFlow under it) without TensorFlow's start-up lines; return the module.

    The first import loads TensorFlow's C++ libraries, which print to the process's error output
    (see :func:`_error_output_discarded`); later calls just return the module.
    """
    if "keras" not in sys.modules:
        silence_tensorflow()
        with _error_output_discarded():
            import keras  # noqa: F401
    silence_tensorflow()  # importing TensorFlow resets its logger (INFO, to stdout) in Jupyter
    return sys.modules["keras"]


def format_report(info: dict[str, object] | None = None) -> str:
    """The environment report as aligned text lines (what notebook 00 prints)."""
    info = report() if info is None else info
    place = {"colab": "Google Colab", "binder": "Binder", "local": "your own machine (not Binder or Colab)"}[
        str(info["where"])
    ]
    lines = [
        f"{'running on':<14}{place}",
        f"{'platform':<14}{info['platform']}",
        f"{'CPUs':<14}{info['cpus']:g}" + ("  (Binder's CPU_LIMIT)" if os.environ.get("CPU_LIMIT") else ""),
        f"{'memory':<14}{info['memory_gb']:.1f} GB" + ("  (Binder's MEM_LIMIT)" if os.environ.get("MEM_LIMIT") else ""),
    ]
    lines += [f"{name:<14}{version}" for name, version in info["versions"].items()]  # type: ignore[union-attr]
    return "\n".join(lines)
