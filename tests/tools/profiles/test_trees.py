"""Compiled trees and calibration give exactly what scikit-learn gives, for any batch size."""

import subprocess
import sys
from pathlib import Path

import joblib
import numpy as np
import pytest
from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
from sklearn.isotonic import IsotonicRegression

from tools.profiles.calibration import IsotonicMap, ScoreCalibration, fit_calibration
from tools.profiles.trees import WALK_ROWS, CompiledTrees


def _data(rows: int, rng: np.random.Generator) -> np.ndarray:
    inputs = rng.normal(size=(rows, 6)) * np.array([0.1, 1, 10, 100, 1, 1])
    inputs[rng.random(inputs.shape) < 0.15] = np.nan  # missing values follow each split's learned side
    return inputs


@pytest.fixture(scope="module")
def fitted() -> tuple[HistGradientBoostingRegressor, HistGradientBoostingClassifier]:
    rng = np.random.default_rng(0)
    train = _data(600, rng)
    target = np.nan_to_num(train[:, 0] * 5 + np.sin(np.nan_to_num(train[:, 2])), nan=0.0) + rng.normal(
        size=600
    )
    regressor = HistGradientBoostingRegressor(
        max_iter=25, max_leaf_nodes=31, min_samples_leaf=5, random_state=0
    )
    classifier = HistGradientBoostingClassifier(max_iter=25, max_leaf_nodes=15, random_state=0)
    return regressor.fit(train, target), classifier.fit(train, target > 0)


@pytest.mark.parametrize("rows", [1, 3, WALK_ROWS, WALK_ROWS + 1, 500])
def test_compiled_trees_equal_scikit_learn_bit_for_bit(
    rows: int, fitted: tuple[HistGradientBoostingRegressor, HistGradientBoostingClassifier]
) -> None:
    regressor, classifier = fitted
    inputs = _data(rows, np.random.default_rng(rows))
    assert np.array_equal(CompiledTrees.of(regressor).predict(inputs), regressor.predict(inputs))
    assert np.array_equal(
        CompiledTrees.of(classifier).predict(inputs), classifier.predict_proba(inputs)[:, 1]
    )


def test_isotonic_calibration_equals_scikit_learn_bit_for_bit() -> None:
    rng = np.random.default_rng(4)
    scores = rng.random(6_000)
    labels = rng.random(6_000) < scores
    calibration = fit_calibration(scores, labels)
    fitted = IsotonicRegression(out_of_bounds="clip", y_min=0.0, y_max=1.0).fit(scores, labels)
    assert isinstance(calibration.mapping, IsotonicMap)
    knots = fitted.X_thresholds_
    asked = np.concatenate([rng.random(5_000), knots, [-1.0, 2.0]])  # between, on and beyond the knots
    expected = np.clip(fitted.predict(asked), 1e-3, 1 - 1e-3)
    assert np.array_equal(calibration.apply(asked), expected)
    assert all(calibration.apply(asked[i : i + 1])[0] == expected[i] for i in range(0, len(asked), 97))


def test_isotonic_calibration_with_a_single_level() -> None:
    flat = IsotonicRegression(out_of_bounds="clip", y_min=0.0, y_max=1.0).fit([0.2, 0.4, 0.6], [1, 1, 1])
    scores = np.array([0.0, 0.5, 1.0])
    assert np.array_equal(
        ScoreCalibration(IsotonicMap.of(flat)).apply(scores), np.clip(flat.predict(scores), 1e-3, 1 - 1e-3)
    )


def test_platt_calibration_equals_scikit_learn_bit_for_bit() -> None:
    """Below `ISOTONIC_MIN_ROWS` the map is a logistic curve on the scores' logits."""
    from sklearn.linear_model import LogisticRegression

    rng = np.random.default_rng(5)
    scores = rng.random(3_000)
    labels = rng.random(3_000) < scores
    logits = np.log(np.clip(scores, 1e-6, 1 - 1e-6) / (1 - np.clip(scores, 1e-6, 1 - 1e-6)))
    fitted = LogisticRegression(C=1e6).fit(logits[:, None], labels)
    expected = np.clip(fitted.predict_proba(logits[:, None])[:, 1], 1e-3, 1 - 1e-3)
    assert np.array_equal(fit_calibration(scores, labels).apply(scores), expected)


def test_compiled_trees_travel_without_scikit_learn(
    fitted: tuple[HistGradientBoostingRegressor, HistGradientBoostingClassifier], tmp_path: Path
) -> None:
    """Fitted models are read by every profile server at its first answer: unpickling them and
    predicting a few rows must not import scikit-learn (seconds of CPU); a large batch does."""
    regressor, classifier = fitted
    joblib.dump([CompiledTrees.of(regressor), CompiledTrees.of(classifier)], tmp_path / "trees.joblib")
    inputs = _data(WALK_ROWS + 1, np.random.default_rng(9))
    np.save(tmp_path / "inputs.npy", inputs)
    probe = (
        "import sys, joblib, numpy as np; "
        f"trees = joblib.load({str(tmp_path / 'trees.joblib')!r}); "
        f"x = np.load({str(tmp_path / 'inputs.npy')!r}); "
        "few = [t.predict(x[:3]) for t in trees]; before = 'sklearn' in sys.modules; "
        "many = [t.predict(x) for t in trees]; "
        "print(before, 'sklearn' in sys.modules, all(np.array_equal(f, m[:3]) for f, m in zip(few, many)))"
    )
    shown = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert shown.stdout.split() == ["False", "True", "True"], shown.stderr
