"""Fast prediction from a fitted histogram gradient-boosting model, whatever the batch size.

scikit-learn walks one tree per call, each call opening an OpenMP region: about 5 ms for one row
through a few hundred trees, which the real-time profile cannot afford five times over. For a
handful of rows all trees are walked at once, level by level, with numpy, dropping each (row, tree)
as it reaches its leaf (most trees are far shallower than the deepest); beyond, scikit-learn runs
on one thread (no thread start-up per tree), about three times faster than the walk.
Decisions and the order leaf values are added in are scikit-learn's own in every case, so results
are bit-identical to `predict`: one member's profile equals their row in a batch.

The compiled trees hold only numpy arrays, and scikit-learn's estimator as pickled bytes that are
read on the first batch too large for the walk. Loading fitted models and answering a single
profile therefore never imports scikit-learn (3+ s of CPU): a server's first answer comes without it.
"""

import pickle
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
from scipy.special import expit

if TYPE_CHECKING:
    from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor

    Boosted = HistGradientBoostingClassifier | HistGradientBoostingRegressor

WALK_ROWS = 64  # up to this many rows, the numpy walk wins
Link = Literal["identity", "log", "logit"]
# scikit-learn's inverse link per loss, as `model._loss.link` names it
LINKS: dict[str, Link] = {"IdentityLink": "identity", "LogLink": "log", "LogitLink": "logit"}


def fittable(inputs: np.ndarray) -> np.ndarray:
    """`inputs` with every column that holds no value at all (a retailer's data without ages, say)
    set to zero: scikit-learn cannot bin a feature with no values and fails the whole fit. Such a
    column carries nothing, so no tree splits on the constant; at prediction its missing values
    are never looked at either."""
    empty = np.isnan(inputs).all(axis=0) if len(inputs) else np.zeros(inputs.shape[1], dtype=bool)
    if not empty.any():
        return inputs
    filled = inputs.copy()
    filled[:, empty] = 0.0
    return filled


@dataclass(frozen=True)
class CompiledTrees:
    estimator: bytes  # the pickled scikit-learn model, for batches beyond `WALK_ROWS`
    baseline: float  # the raw score before any tree
    link: Link
    roots: np.ndarray  # first node of each tree in the flat arrays
    feature: np.ndarray
    threshold: np.ndarray
    missing_left: np.ndarray
    left: np.ndarray  # a leaf points to itself, so walking past it changes nothing
    right: np.ndarray
    value: np.ndarray
    depth: int

    @classmethod
    def of(cls, model: "Boosted") -> "CompiledTrees":
        link = type(model._loss.link).__name__
        if link not in LINKS:
            raise ValueError(f"unsupported link {link}")
        trees = [iteration[0].nodes for iteration in model._predictors]
        if any(nodes["is_categorical"].any() for nodes in trees):
            raise ValueError("categorical splits are not supported")
        sizes = np.array([len(nodes) for nodes in trees], dtype=np.int64)
        roots = np.concatenate(([0], np.cumsum(sizes)[:-1]))
        nodes = np.concatenate(trees)
        base = np.repeat(roots, sizes)
        leaf = nodes["is_leaf"].astype(bool)
        itself = np.arange(len(nodes), dtype=np.int64)
        return cls(
            estimator=pickle.dumps(model, protocol=pickle.HIGHEST_PROTOCOL),
            baseline=float(np.ravel(model._baseline_prediction)[0]),
            link=LINKS[link],
            roots=roots,
            feature=np.where(leaf, 0, nodes["feature_idx"]).astype(np.int64),
            threshold=nodes["num_threshold"],
            missing_left=nodes["missing_go_to_left"].astype(bool),
            left=np.where(leaf, itself, nodes["left"].astype(np.int64) + base),
            right=np.where(leaf, itself, nodes["right"].astype(np.int64) + base),
            value=nodes["value"],
            depth=int(nodes["depth"].max()),
        )

    def raw(self, inputs: np.ndarray) -> np.ndarray:
        """Raw scores (before the link), one per row."""
        if len(inputs) > WALK_ROWS:
            # One thread: an OpenMP region per tree costs more than it saves on two shared cores.
            return self._model._raw_predict(inputs, n_threads=1)[:, 0]
        rows, trees = len(inputs), len(self.roots)
        flat = np.ascontiguousarray(inputs, dtype=float).ravel()
        node = np.tile(self.roots, rows)  # (row, tree) flattened, row-major
        walking = np.nonzero(~self._is_leaf[node])[0]
        at, offset = node[walking], (walking // trees) * inputs.shape[1]
        while len(walking):
            x = flat[offset + self.feature[at]]
            # scikit-learn's rule: a missing value goes where the split sends missing values
            go_left = np.where(np.isnan(x), self.missing_left[at], x <= self.threshold[at])
            at = np.where(go_left, self.left[at], self.right[at])
            node[walking] = at
            inner = ~self._is_leaf[at]
            walking, at, offset = walking[inner], at[inner], offset[inner]
        # scikit-learn starts from the baseline and adds trees in order: cumsum keeps that order
        leaves = self.value[node].reshape(rows, trees)
        start = np.full((rows, 1), self.baseline)
        return np.cumsum(np.hstack([start, leaves]), axis=1)[:, -1]

    @cached_property
    def _is_leaf(self) -> np.ndarray:
        return self.left == np.arange(len(self.left))

    @cached_property
    def _model(self) -> Any:
        return pickle.loads(self.estimator)  # written by `of` into our own models directory

    def __getstate__(self) -> dict[str, object]:
        # what `cached_property` derived stays out of the file: it would pickle the estimator twice
        return {k: v for k, v in self.__dict__.items() if k not in ("_is_leaf", "_model")}

    def predict(self, inputs: np.ndarray) -> np.ndarray:
        """What the model's `predict` (regressor) or positive-class `predict_proba` returns:
        scikit-learn's inverse links (`expit` is scipy's, as scikit-learn's is)."""
        raw = self.raw(inputs)
        if self.link == "logit":
            return expit(raw)
        return np.exp(raw) if self.link == "log" else raw
