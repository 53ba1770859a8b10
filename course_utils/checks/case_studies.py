"""Checks for notebook 11_case_studies: a decline's principal reasons, a counterfactual's cost, the share on a patch."""

from __future__ import annotations

import numpy as np

from course_utils.checks import CheckResult, Wrong, call, exercise, expect_close, show
from course_utils.checks._answers import as_array, as_names, case

__all__ = ["top_adverse_reasons", "mad_distance", "patch_share"]


# --------------------------------------------------------------------------- Exercise 1
NAMES = ["age", "income", "debt_to_income", "late_payments", "savings", "loan_amount", "employment_years"]


def _reasons_problems():
    """(values, k): many large favourable (negative) values, ties of sign, fewer positives than k once."""
    return [
        (np.array([0.05, -1.20, 0.90, 0.40, -0.80, 0.15, -0.02]), 3),  # 4 positive; the largest |value| is favourable
        (np.array([-0.30, 0.25, -2.00, 1.10, 0.60, -0.90, 0.35]), 4),
        (np.array([-0.10, -0.70, 0.45, -1.50, 0.20, -0.05, -0.40]), 3),  # only 2 adverse
    ]


def _reasons(values, k, how="right"):
    largest_first = np.argsort(-values, kind="stable")
    chosen = {
        "right": lambda: [j for j in largest_first if values[j] > 0],
        "by size": lambda: list(np.argsort(-np.abs(values), kind="stable")),
        "favourable": lambda: list(np.argsort(values, kind="stable")),
        "ascending": lambda: [j for j in np.argsort(values, kind="stable") if values[j] > 0],
        "padded": lambda: list(largest_first),
    }[how]()
    return [NAMES[j] for j in chosen[:k]]


HINT_REASONS = {
    "by size": "a reason for a decline is a feature that pushed the score towards default: sort by the value itself "
               "(largest positive first), not by its absolute size — a large negative value is in the applicant's "
               "favour.",
    "favourable": "you listed the contributions most in the applicant's FAVOUR (the most negative): the adverse ones "
                  "are the largest positive values, which push towards default.",
    "ascending": "list the strongest reason first: sort the positive contributions from largest to smallest.",
    "padded": "only a feature with a positive contribution is a reason for the decline; when fewer than k are "
              "positive, return fewer than k names.",
}


@exercise("Exercise 1: the principal reasons for a decline")
def top_adverse_reasons(fn) -> CheckResult:
    """Check ``fn(values, feature_names, k)`` lists the k largest positive contributions' names, largest first."""
    for values, k in _reasons_problems():
        described = ", ".join(f"{name} {value:+.2f}" for name, value in zip(NAMES, values))
        with case(f"k = {k} and the contributions {described}"):
            got = as_names(call(fn, values.copy(), list(NAMES), k, name="top_adverse_reasons"), "top_adverse_reasons")
            expected = _reasons(values, k)
            if got == expected:
                continue
            for how, hint in HINT_REASONS.items():
                if got == _reasons(values, k, how):
                    raise Wrong("top_adverse_reasons is not right.", f"expected: {expected}", f"received: {got}",
                                hint=hint)
            if set(got) == set(expected):
                raise Wrong("top_adverse_reasons has the right reasons in the wrong order.", f"expected: {expected}",
                            f"received: {got}",
                            hint=HINT_REASONS["ascending"])
            raise Wrong("top_adverse_reasons is not right.", f"expected: {expected}", f"received: {got}",
                        hint="keep the features with a positive value (towards default), sort them by value from "
                             "largest to smallest, and return the names of the first k.")
    return "correct — these are the principal reasons a notice of adverse action names, strongest first."


# --------------------------------------------------------------------------- Exercise 2
def _distance_problems():
    """Two batches, n ≠ d, changes in both directions, scales far from 1 and from each other."""
    rng = np.random.default_rng(11)
    out = []
    for n, d in ((3, 5), (4, 2)):
        x = rng.normal(size=(n, d)) * 10  # (n, d)
        change = rng.normal(size=(n, d)) * rng.integers(0, 2, size=(n, d))  # some features unchanged
        change[0, 0], change[-1, -1] = 2.5, -1.5  # a rise and a fall in every batch
        scale = rng.uniform(0.2, 4.0, size=d)  # (d,)
        out.append((x, x + change, scale))
    return out


def _distances(x, x_cf, scale, how="right"):
    delta = x_cf - x
    return {
        "right": lambda: np.abs(delta / scale).sum(axis=1),
        "signed": lambda: (delta / scale).sum(axis=1),
        "times scale": lambda: (np.abs(delta) * scale).sum(axis=1),
        "unscaled": lambda: np.abs(delta).sum(axis=1),
        "euclidean": lambda: np.sqrt(((delta / scale) ** 2).sum(axis=1)),
        "squared": lambda: ((delta / scale) ** 2).sum(axis=1),
        "mean": lambda: np.abs(delta / scale).mean(axis=1),
        "scale squared": lambda: (np.abs(delta) / scale**2).sum(axis=1),
    }[how]()


HINT_DISTANCE = {
    "signed": "take the absolute value of each change, np.abs(x_cf - x): a fall of savings costs as much as a rise, "
              "and changes in opposite directions must not cancel.",
    "times scale": "divide by the scale, do not multiply: a feature that varies a lot (a large MAD) makes each unit "
                   "of change cheap.",
    "unscaled": "divide each feature's change by its scale (the MAD): without it, a change of 1 year and of 1 k$ "
                "would cost the same.",
    "euclidean": "the distance is L1, a plain sum of |change| / scale — no squares and no square root (L1 is what "
                 "makes counterfactuals change few features).",
    "squared": "the distance is L1: sum |change| / scale, without squaring.",
    "mean": "sum over the features, do not average: the cost of a change does not shrink because the table has more "
            "columns.",
    "scale squared": "divide by the scale once: |change| / scale.",
}
HINT_DISTANCE_GENERAL = ("np.sum(np.abs(x_cf - x) / scale, axis=1): one distance per example (row), summed over the "
                         "features.")


@exercise("Exercise 2: the MAD-weighted L1 distance of a counterfactual")
def mad_distance(fn) -> CheckResult:
    """Check ``fn(x, x_cf, scale)`` returns ``sum_j |x_cf - x| / scale`` per row, shape (n,)."""
    for x, x_cf, scale in _distance_problems():
        n, d = x.shape
        with case(f"x of shape {x.shape}, scale of shape {scale.shape}"):
            got = as_array(call(fn, x, x_cf, scale, name="mad_distance"), "mad_distance(x, x_cf, scale)")
            if got.shape == (d,):
                raise Wrong(f"mad_distance returned shape {got.shape}, one number per feature; expected ({n},), "
                            "one per example.",
                            hint="sum over the features, axis=1 (axis 0 runs over the examples).")
            if got.shape == () or got.size == 1 and n > 1:
                raise Wrong(f"mad_distance returned one number; expected one distance per example, shape ({n},).",
                            hint="sum over the features only: np.sum(..., axis=1).")
            mistakes = tuple((_distances(x, x_cf, scale, how), hint) for how, hint in HINT_DISTANCE.items())
            expect_close(got, _distances(x, x_cf, scale), name="mad_distance(x, x_cf, scale)", mistakes=mistakes,
                         hint=HINT_DISTANCE_GENERAL)
    return "correct — a change of one MAD in one feature costs 1; Wachter et al. minimize exactly this sum."


# --------------------------------------------------------------------------- Exercise 3
def _patch_problems():
    """Attributions of both signs, larger on the patch of some images; patches in different corners; two image sizes."""
    rng = np.random.default_rng(5)
    out = []
    for n, size in ((3, 28), (2, 10)):
        values = rng.normal(size=(n, size, size))
        mask = np.zeros((n, size, size), dtype=bool)
        for i in range(n):
            top, left = (0, 0) if i == 0 else (size - 4, size - 4) if i == 1 else (0, size - 4)
            mask[i, top:top + 4, left:left + 4] = True
            values[i][mask[i]] *= 3.0 * (i + 1) * np.where(rng.random(16) < 0.5, -1, 1)
        out.append((values, mask))
    return out


def _shares(values, mask, how="right"):
    n = len(values)
    flat, where = values.reshape(n, -1), mask.reshape(n, -1)
    a = np.abs(flat)
    return {
        "right": lambda: (a * where).sum(1) / a.sum(1),
        "signed": lambda: (flat * where).sum(1) / flat.sum(1),
        "abs on top": lambda: np.abs((flat * where).sum(1)) / a.sum(1),
        "outside": lambda: (a * ~where).sum(1) / a.sum(1),
        "over the rest": lambda: (a * where).sum(1) / (a * ~where).sum(1),
        "per area": lambda: ((a * where).sum(1) / a.sum(1)) / where.mean(1),
        "squares": lambda: ((flat**2) * where).sum(1) / (flat**2).sum(1),
    }[how]()


HINT_SHARE = {
    "signed": "use absolute values, np.abs(values): positive and negative attributions on the patch must not "
    "cancel — both mean the model reads it.",
    "abs on top": "take the absolute value of each pixel before summing (np.abs(values)[mask].sum()), not of the sum.",
    "outside": "the mask is True ON the patch: sum |values| where mask is True.",
    "over the rest": "divide by the total over ALL pixels (patch included), so the share lies between 0 and 1.",
    "per area": "return the share itself, a ratio of SUMS: sum |a| on the patch / sum |a| overall. Yours is that "
    "share divided by the patch's area (as a ratio of MEANS is): compare with the area afterwards, mask.mean().",
    "squares": "use absolute values, not squares: the share of attribution mass is sum |a| on the patch / sum |a|.",
}
HINT_SHARE_GENERAL = (
    "for each image: np.abs(values[i])[mask[i]].sum() / np.abs(values[i]).sum(); "
    "vectorized: (np.abs(values) * mask).sum(axis=(1, 2)) / np.abs(values).sum(axis=(1, 2))."
)


@exercise("Exercise 3: the share of attribution on the patch")
def patch_share(fn) -> CheckResult:
    """Check ``fn(values, mask)`` returns ``sum_patch |a| / sum |a|`` per image, shape (n,)."""
    for values, mask in _patch_problems():
        n = len(values)
        with case(f"values and mask of shape {values.shape}"):
            got = as_array(call(fn, values, mask, name="patch_share"), "patch_share(values, mask)")
            if got.shape == () or got.size == 1 and n > 1:
                raise Wrong(
                    f"patch_share returned one number; expected one share per image, shape ({n},).",
                    hint="sum over each image's pixels only: axis=(1, 2), not over the whole batch.",
                )
            mistakes = tuple((_shares(values, mask, how), hint) for how, hint in HINT_SHARE.items())
            expect_close(
                got, _shares(values, mask), name="patch_share(values, mask)", mistakes=mistakes, hint=HINT_SHARE_GENERAL
            )
    return (
        "correct — a model that ignores a 16-pixel patch of a 784-pixel digit puts about 2% or less of its "
        "attribution there."
    )
