"""Explainable late-payment model: a logistic-regression scorecard.

Every feature (share of past invoices paid late, invoice amount, days of
credit, ...) is cut into a few bins by the caller, so the model is a table
that can be shown to a credit controller line by line:

    log-odds of paying late = intercept + one weight per feature, for its bin

Bin 0 of each feature is the reference and weighs nothing, so every weight
reads as "this bin rather than the first one adds so much risk".

Because the features are binned, the history collapses into grouped rows
``(bins, late_count, total_count)``: at most a few thousand rows whatever the
number of invoices, so Newton-Raphson on the grouped binomial likelihood fits
in pure Python at once. A ridge penalty (``l2``) on the weights, never on the
intercept, keeps the fit finite when a bin is always late or always on time
and pulls rarely seen bins towards the reference.

The evaluation helpers (AUC, Brier score, log loss, calibration) take grouped
``(probability, late_count, total_count)`` rows for the same reason.

Two corrections keep the probabilities honest when the late rate drifts:
counts are weighted by recency (:func:`recency_weight`, fractional counts are
fine), and the scorecard's log-odds are recalibrated on the most recent months
held back from training by Platt scaling (:func:`fit_platt`): one intercept
and one slope, stored on the :class:`Model` and applied by
:meth:`Model.probability`. The same two-parameter fit measured on outcomes
the model did not see is the calibration slope and intercept
(:func:`calibration_fit`): 1 and 0 when the probabilities are right.
"""

import math
from bisect import bisect_left
from dataclasses import dataclass, replace
from itertools import pairwise

# Log loss of a probability of exactly 0 or 1 that turns out wrong is
# infinite; clip like the usual statistics packages do.
LOG_LOSS_EPSILON = 1e-15

# Halving a Newton step that lowers the penalised likelihood this many times
# is more than enough for a convex objective; it only guards the first steps.
MAX_STEP_HALVINGS = 30


class NotEnoughHistory(ValueError):
    """The history cannot teach a model: no item, or no late item, or no item
    paid on time. The caller tells the user to wait for more history."""


@dataclass(frozen=True)
class Feature:
    """One binned feature. ``bounds`` are ascending upper bounds (see
    :func:`bin_index`); a categorical feature leaves them empty and its caller
    gives the bin index directly."""

    name: str
    bounds: tuple
    bin_count: int

    def __post_init__(self):
        # Callers build bounds from lists read in settings; a tuple keeps the
        # frozen feature comparable and hashable.
        object.__setattr__(self, "bounds", tuple(self.bounds))
        if any(low >= high for low, high in pairwise(self.bounds)):
            raise ValueError(f"Bounds of feature {self.name} must increase.")
        if self.bounds and self.bin_count != len(self.bounds) + 1:
            raise ValueError(
                f"Feature {self.name} has {len(self.bounds)} bounds, "
                f"so {len(self.bounds) + 1} bins, not {self.bin_count}."
            )
        if self.bin_count < 1:
            raise ValueError(f"Feature {self.name} needs at least one bin.")


# The late-payment risk of an invoice, as predictions and invoices show it
# (selection values and labels).
RISK_LEVELS = [
    ("low", "Low"),
    ("medium", "Medium"),
    ("high", "High"),
    ("none", "Not Enough History"),
]


def bin_index(value, bounds):
    """First ``i`` with ``value <= bounds[i]``, or ``len(bounds)`` above the
    last bound. ``value`` must be a number: the caller decides where a missing
    value goes."""
    return bisect_left(bounds, value)


def _sigmoid(log_odds):
    # exp() of a large positive number overflows; only ever take exp() of a
    # non-positive one.
    if log_odds >= 0:
        return 1.0 / (1.0 + math.exp(-log_odds))
    odds = math.exp(log_odds)
    return odds / (1.0 + odds)


def _log_one_plus_exp(value):
    """``log(1 + exp(value))`` without overflow."""
    if value > 0:
        return value + math.log1p(math.exp(-value))
    return math.log1p(math.exp(value))


def _check_bins(bins, bin_counts):
    if len(bins) != len(bin_counts):
        raise ValueError(f"Expected {len(bin_counts)} bins, got {len(bins)}.")
    for feature, (bin_, count) in enumerate(zip(bins, bin_counts, strict=True)):
        # A negative index would silently pick a weight from the end.
        if not 0 <= bin_ < count:
            raise ValueError(
                f"Bin {bin_} of feature {feature} is not in 0..{count - 1}."
            )


@dataclass(frozen=True)
class Model:
    """A fitted scorecard. ``weights[f][b]`` is the log-odds added when
    feature ``f`` falls in bin ``b``; ``weights[f][0]`` is 0.0."""

    feature_names: tuple[str, ...]
    bin_counts: tuple[int, ...]
    intercept: float
    weights: tuple[tuple[float, ...], ...]
    # Platt scaling of the log-odds (see fit_platt); 1 and 0 leave them as
    # the scorecard says.
    calibration_slope: float = 1.0
    calibration_intercept: float = 0.0

    def __post_init__(self):
        # from_dict() and hand-built models give lists; store tuples so the
        # model stays immutable.
        object.__setattr__(self, "feature_names", tuple(self.feature_names))
        object.__setattr__(self, "bin_counts", tuple(self.bin_counts))
        object.__setattr__(self, "weights", tuple(map(tuple, self.weights)))
        if not len(self.feature_names) == len(self.bin_counts) == len(self.weights):
            raise ValueError("A model needs one name, bin count and weight row each.")
        for name, count, row in zip(
            self.feature_names, self.bin_counts, self.weights, strict=True
        ):
            if len(row) != count:
                raise ValueError(
                    f"Feature {name} has {count} bins, {len(row)} weights."
                )

    def log_odds(self, bins):
        _check_bins(bins, self.bin_counts)
        return self.intercept + sum(
            row[bin_] for row, bin_ in zip(self.weights, bins, strict=True)
        )

    def probability(self, bins):
        """Probability of paying late for an item in ``bins``, calibrated."""
        return _sigmoid(
            self.calibration_intercept + self.calibration_slope * self.log_odds(bins)
        )

    def calibrated(self, slope, intercept):
        """The same scorecard with its log-odds mapped to
        ``intercept + slope * log-odds``."""
        return replace(
            self, calibration_slope=float(slope), calibration_intercept=float(intercept)
        )

    def contributions(self, bins):
        """``(feature index, bin, weight)`` of every feature, the heaviest
        first, so an explanation can show the main reasons and stop."""
        _check_bins(bins, self.bin_counts)
        rows = [
            (feature, bin_, self.weights[feature][bin_])
            for feature, bin_ in enumerate(bins)
        ]
        return sorted(rows, key=lambda row: (-abs(row[2]), row[0]))

    def to_dict(self):
        return {
            "feature_names": list(self.feature_names),
            "bin_counts": list(self.bin_counts),
            "intercept": self.intercept,
            "weights": [list(row) for row in self.weights],
            "calibration_slope": self.calibration_slope,
            "calibration_intercept": self.calibration_intercept,
        }

    @classmethod
    def from_dict(cls, data):
        return cls(
            feature_names=tuple(data["feature_names"]),
            bin_counts=tuple(int(count) for count in data["bin_counts"]),
            intercept=float(data["intercept"]),
            weights=tuple(tuple(map(float, row)) for row in data["weights"]),
            # Models stored before calibration existed read as uncalibrated.
            calibration_slope=float(data.get("calibration_slope", 1.0)),
            calibration_intercept=float(data.get("calibration_intercept", 0.0)),
        )


def _grouped(groups, bin_counts):
    """Late and total counts summed per bins tuple, empty rows dropped."""
    sums = {}
    for bins, late, total in groups:
        bins = tuple(bins)
        _check_bins(bins, bin_counts)
        if late < 0 or late > total:
            raise ValueError(f"Late count {late} is not within 0..{total}.")
        if total <= 0:
            continue
        counts = sums.setdefault(bins, [0.0, 0.0])
        counts[0] += late
        counts[1] += total
    return [(bins, late, total) for bins, (late, total) in sums.items()]


def _solve(matrix, vector):
    """Solve ``matrix @ x = vector`` by Gaussian elimination with partial
    pivoting; both arguments are consumed."""
    size = len(vector)
    scale = max((abs(matrix[i][i]) for i in range(size)), default=0.0) or 1.0
    for column in range(size):
        pivot = max(range(column, size), key=lambda row: abs(matrix[row][column]))
        if abs(matrix[pivot][column]) <= scale * 1e-13:
            # Only without ridge: collinear features, or a bin always late
            # or always on time whose weight runs off to infinity.
            raise ValueError(
                "The model has no finite fit; train with a positive l2 penalty."
            )
        matrix[column], matrix[pivot] = matrix[pivot], matrix[column]
        vector[column], vector[pivot] = vector[pivot], vector[column]
        pivot_row = matrix[column]
        for row in range(column + 1, size):
            factor = matrix[row][column] / pivot_row[column]
            if factor:
                target = matrix[row]
                for k in range(column, size):
                    target[k] -= factor * pivot_row[k]
                vector[row] -= factor * vector[column]
    solution = [0.0] * size
    for row in range(size - 1, -1, -1):
        rest = sum(matrix[row][k] * solution[k] for k in range(row + 1, size))
        solution[row] = (vector[row] - rest) / matrix[row][row]
    return solution


def _penalised_log_likelihood(rows, beta, l2):
    total = 0.0
    for columns, late, count in rows:
        eta = sum(beta[column] for column in columns)
        total += late * eta - count * _log_one_plus_exp(eta)
    return total - 0.5 * l2 * sum(value * value for value in beta[1:])


def _newton_step(rows, beta, l2):
    """Newton direction of the penalised binomial log-likelihood."""
    size = len(beta)
    gradient = [0.0] + [-l2 * value for value in beta[1:]]
    hessian = [[0.0] * size for _ in range(size)]
    for index in range(1, size):
        hessian[index][index] = l2
    for columns, late, count in rows:
        probability = _sigmoid(sum(beta[column] for column in columns))
        residual = late - count * probability
        curvature = count * probability * (1.0 - probability)
        # The Hessian is symmetric and a row's columns ascend: fill the upper
        # triangle only (half the additions of the hottest loop of training)
        # and mirror it below.
        for position, i in enumerate(columns):
            gradient[i] += residual
            row = hessian[i]
            for j in columns[position:]:
                row[j] += curvature
    for i in range(size):
        for j in range(i):
            hessian[i][j] = hessian[j][i]
    return _solve(hessian, gradient)


def train(
    groups,
    bin_counts,
    feature_names,
    l2=1.0,
    iterations=50,
    tolerance=1e-8,
    start=None,
):
    """Fit a :class:`Model` on grouped ``(bins, late_count, total_count)``
    rows by Newton-Raphson with a ridge penalty ``l2`` on the weights.

    Stops once no parameter moves by ``tolerance`` or after ``iterations``
    steps (the last estimate is kept). ``start``, a model of the same bins
    learnt on similar rows, is where the steps begin: the optimum is the
    same (the penalised likelihood has one), reached in fewer steps. Raises
    :class:`NotEnoughHistory` when there is no item, no late item or no item
    paid on time.
    """
    bin_counts = tuple(bin_counts)
    feature_names = tuple(feature_names)
    if len(bin_counts) != len(feature_names):
        raise ValueError("Give one bin count per feature name.")
    grouped = _grouped(groups, bin_counts)
    total_late = sum(late for _bins, late, _total in grouped)
    total_items = sum(total for _bins, _late, total in grouped)
    if not total_items:
        raise NotEnoughHistory("There is no payment history to learn from.")
    if total_late <= 0 or total_late >= total_items:
        raise NotEnoughHistory(
            "The history needs items paid late and items paid on time."
        )

    # Only bins that occur get a parameter: a column of zeros would make the
    # system singular without ridge, and with ridge its weight is exactly 0.
    seen = sorted({(f, b) for bins, _l, _t in grouped for f, b in enumerate(bins) if b})
    column_of = {key: index for index, key in enumerate(seen, start=1)}
    rows = [
        ([0] + [column_of[(f, b)] for f, b in enumerate(bins) if b], late, total)
        for bins, late, total in grouped
    ]
    if start is not None and tuple(start.bin_counts) == bin_counts:
        beta = [start.intercept] + [start.weights[f][b] for f, b in seen]
    else:
        # Starting from the overall late rate saves the first Newton steps.
        beta = [math.log(total_late / (total_items - total_late))] + [0.0] * len(seen)

    objective = _penalised_log_likelihood(rows, beta, l2)
    for _iteration in range(iterations):
        step = _newton_step(rows, beta, l2)
        for _halving in range(MAX_STEP_HALVINGS):
            candidate = [value + delta for value, delta in zip(beta, step, strict=True)]
            candidate_objective = _penalised_log_likelihood(rows, candidate, l2)
            if candidate_objective >= objective - 1e-12 * abs(objective):
                break
            step = [delta / 2.0 for delta in step]
        beta, objective = candidate, candidate_objective
        if max(map(abs, step)) < tolerance:
            break

    weights = [[0.0] * count for count in bin_counts]
    for (feature, bin_), column in column_of.items():
        weights[feature][bin_] = beta[column]
    return Model(
        feature_names=feature_names,
        bin_counts=bin_counts,
        intercept=beta[0],
        weights=tuple(map(tuple, weights)),
    )


def _distinct_levels(scored):
    """``[probability, late, on_time]`` per distinct probability, ascending."""
    levels = {}
    for probability, late, total in scored:
        if total <= 0:
            continue
        counts = levels.setdefault(probability, [0.0, 0.0])
        counts[0] += late
        counts[1] += total - late
    return [[probability, *levels[probability]] for probability in sorted(levels)]


def auc(scored):
    """ROC AUC of grouped ``(probability, late_count, total_count)`` rows: the
    chance that a late item scores above an item paid on time, ties counting
    half. None without late items or without items paid on time."""
    favourable = 0.0
    on_time_below = 0.0
    total_late = 0.0
    for _probability, late, on_time in _distinct_levels(scored):
        favourable += late * (on_time_below + 0.5 * on_time)
        on_time_below += on_time
        total_late += late
    if not total_late or not on_time_below:
        return None
    return favourable / (total_late * on_time_below)


def brier(scored):
    """Mean squared error of the probability over all items (late = 1)."""
    squared = 0.0
    items = 0.0
    for probability, late, total in scored:
        if total <= 0:
            continue
        squared += late * (1.0 - probability) ** 2 + (total - late) * probability**2
        items += total
    return squared / items if items else None


def log_loss(scored):
    """Mean negative log-likelihood per item; probabilities are clipped to
    [1e-15, 1 - 1e-15] so one confident mistake does not make it infinite."""
    loss = 0.0
    items = 0.0
    for probability, late, total in scored:
        if total <= 0:
            continue
        clipped = min(max(probability, LOG_LOSS_EPSILON), 1.0 - LOG_LOSS_EPSILON)
        loss -= late * math.log(clipped) + (total - late) * math.log1p(-clipped)
        items += total
    return loss / items if items else None


def calibration(scored, bin_count=10):
    """Reliability table over equal-width probability bins [0, 0.1), ...,
    [0.9, 1.0] (1.0 falls in the last one): ``(mean predicted probability,
    observed late rate, item count)`` for each non-empty bin, in bin order."""
    sums = {}
    for probability, late, total in scored:
        if total <= 0:
            continue
        index = min(max(int(probability * bin_count), 0), bin_count - 1)
        predicted, observed, items = sums.get(index, (0.0, 0.0, 0.0))
        sums[index] = (predicted + probability * total, observed + late, items + total)
    return [
        (predicted / items, observed / items, items)
        for predicted, observed, items in (sums[index] for index in sorted(sums))
    ]


def recency_weight(age_days, half_life_days):
    """Weight of an item ``age_days`` old when training: halves every
    ``half_life_days`` (1 for an item of today or of the future)."""
    if half_life_days <= 0:
        raise ValueError("The half-life must be positive.")
    return 0.5 ** (max(age_days, 0) / half_life_days)


def calibration_weeks(weekly_counts, choices, min_each):
    """How many of the most recent weeks to hold back for calibration: the
    first of ``choices`` (ascending) whose weeks hold at least ``min_each``
    late and as many on-time items, else the last choice.
    ``weekly_counts``: ``{weeks ago: (late, total)}``, week 0 the latest;
    negative keys (the future) are ignored."""
    for weeks in choices:
        late = sum(c[0] for ago, c in weekly_counts.items() if 0 <= ago < weeks)
        total = sum(c[1] for ago, c in weekly_counts.items() if 0 <= ago < weeks)
        if min(late, total - late) >= min_each:
            return weeks
    return choices[-1]


def _logistic_line(rows, iterations=100, tolerance=1e-10):
    """Maximum-likelihood ``(slope, intercept)`` of ``P(late) = sigmoid(
    intercept + slope * x)`` over ``(x, late, total)`` rows (fractional counts
    allowed), by Newton on two parameters. None when the slope cannot be
    estimated: fewer than two distinct ``x``, or outcomes an infinite slope
    separates perfectly."""
    rows = [
        (float(x), float(late), float(total)) for x, late, total in rows if total > 0
    ]
    late_sum = sum(late for _x, late, _total in rows)
    count = sum(total for _x, _late, total in rows)
    if not count or len({x for x, _late, _total in rows}) < 2:
        return None
    if late_sum <= 0 or late_sum >= count:
        return None

    def likelihood(slope, intercept):
        total = 0.0
        for x, late, items in rows:
            eta = intercept + slope * x
            total += late * eta - items * _log_one_plus_exp(eta)
        return total

    slope, intercept = 0.0, math.log(late_sum / (count - late_sum))
    objective = likelihood(slope, intercept)
    for _iteration in range(iterations):
        g_slope = g_intercept = h_ss = h_si = h_ii = 0.0
        for x, late, items in rows:
            probability = _sigmoid(intercept + slope * x)
            residual = late - items * probability
            curvature = items * probability * (1.0 - probability)
            g_intercept += residual
            g_slope += residual * x
            h_ii += curvature
            h_si += curvature * x
            h_ss += curvature * x * x
        determinant = h_ss * h_ii - h_si * h_si
        if determinant <= 1e-300:
            return None
        step_slope = (h_ii * g_slope - h_si * g_intercept) / determinant
        step_intercept = (h_ss * g_intercept - h_si * g_slope) / determinant
        for _halving in range(MAX_STEP_HALVINGS):
            candidate = likelihood(slope + step_slope, intercept + step_intercept)
            if candidate >= objective - 1e-12 * abs(objective):
                break
            step_slope, step_intercept = step_slope / 2.0, step_intercept / 2.0
        slope, intercept, objective = (
            slope + step_slope,
            intercept + step_intercept,
            candidate,
        )
        if max(abs(step_slope), abs(step_intercept)) < tolerance:
            return slope, intercept
    # Still moving after every step: the outcomes are separated and the
    # slope runs off to infinity.
    return None


def fit_platt(scored_log_odds, min_each=0):
    """Platt scaling: ``(slope, intercept)`` mapping the model's log-odds to
    calibrated ones, fitted on grouped ``(log_odds, late_count, total_count)``
    rows of items held back from training. Uses Platt's targets
    ``(late + 1) / (late + 2)`` and ``1 / (on time + 2)`` instead of 1 and 0,
    so a small or perfectly separated window still gives a finite fit.
    ``(1.0, 0.0)`` (no change) when the window cannot teach a calibration:
    no late item, no item on time, fewer than ``min_each`` of either (a
    handful of items would only pull every probability towards the middle),
    or a single score."""
    rows = [(x, late, total) for x, late, total in scored_log_odds if total > 0]
    late_sum = sum(late for _x, late, _total in rows)
    on_time_sum = sum(total - late for _x, late, total in rows)
    if not late_sum or not on_time_sum or min(late_sum, on_time_sum) < min_each:
        return 1.0, 0.0
    target_late = (late_sum + 1.0) / (late_sum + 2.0)
    target_on_time = 1.0 / (on_time_sum + 2.0)
    smoothed = [
        (x, late * target_late + (total - late) * target_on_time, total)
        for x, late, total in rows
    ]
    return _logistic_line(smoothed) or (1.0, 0.0)


def calibration_fit(scored):
    """Calibration slope and intercept of grouped ``(probability, late_count,
    total_count)`` rows: the logistic regression of the outcome on the logit
    of the probability. ``(1, 0)`` for right probabilities; a slope below 1
    means too extreme, an intercept below 0 too high on average. None when it
    cannot be estimated (one distinct probability, one outcome only, or
    outcomes perfectly separated)."""
    rows = []
    for probability, late, total in scored:
        clipped = min(max(probability, 1e-12), 1.0 - 1e-12)
        rows.append((math.log(clipped / (1.0 - clipped)), late, total))
    return _logistic_line(rows)
