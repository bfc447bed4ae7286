import itertools
import json
import math
import random
import unittest

from ..lib.prediction import (
    Feature,
    Model,
    NotEnoughHistory,
    auc,
    bin_index,
    brier,
    calibration,
    calibration_fit,
    calibration_weeks,
    fit_platt,
    log_loss,
    recency_weight,
    train,
)

TRUE_INTERCEPT = -1.5
TRUE_WEIGHTS = (
    (0.0, 1.2, 2.0),
    (0.0, -0.8, -0.4, 0.6),
    (0.0, 0.5, -0.3),
)
BIN_COUNTS = (3, 4, 3)
NAMES = ("late_share", "amount", "credit_days")

# One feature, three bins, late/total 3/10, 5/20, 9/12. Without ridge the
# fit reproduces the observed rates, so in log-odds:
#   intercept = logit(0.3)  = ln(3/7)            = -0.8473
#   bin 1     = logit(0.25) - logit(0.3) = ln(7/9) = -0.2513
#   bin 2     = logit(0.75) - logit(0.3) = ln(7)   = +1.9459
ONE_FEATURE = [((0,), 3, 10), ((1,), 5, 20), ((2,), 9, 12)]


def synthetic_groups():
    """Expected counts of the true model for every cell, each cell split in
    two rows at a random point (late items pro rata) and the rows shuffled."""
    rng = random.Random(7)
    groups = []
    for bins in itertools.product(*(range(count) for count in BIN_COUNTS)):
        log_odds = TRUE_INTERCEPT + sum(
            TRUE_WEIGHTS[feature][bin_] for feature, bin_ in enumerate(bins)
        )
        total = rng.randint(8000, 12000)
        late = round(total / (1.0 + math.exp(-log_odds)))
        first_total = rng.randint(0, total)
        first_late = round(late * first_total / total)
        groups.append((bins, first_late, first_total))
        groups.append((bins, late - first_late, total - first_total))
    rng.shuffle(groups)
    return groups


class TestBinning(unittest.TestCase):
    def test_bin_index_upper_bounds_are_inclusive(self):
        bounds = (0, 15, 30)
        self.assertEqual(bin_index(-5, bounds), 0)
        self.assertEqual(bin_index(0, bounds), 0)
        self.assertEqual(bin_index(0.1, bounds), 1)
        self.assertEqual(bin_index(15, bounds), 1)
        self.assertEqual(bin_index(30, bounds), 2)
        self.assertEqual(bin_index(31, bounds), 3)
        self.assertEqual(bin_index(7, ()), 0)

    def test_feature_checks_its_bounds(self):
        feature = Feature("days_late", [0, 15, 30], 4)
        self.assertEqual(feature.bounds, (0, 15, 30))
        self.assertEqual(Feature("channel", (), 5).bin_count, 5)
        with self.assertRaises(ValueError):
            Feature("days_late", (0, 15, 30), 3)
        with self.assertRaises(ValueError):
            Feature("days_late", (15, 15), 3)
        with self.assertRaises(ValueError):
            Feature("channel", (), 0)


class TestTraining(unittest.TestCase):
    def test_recovers_the_true_weights(self):
        model = train(synthetic_groups(), BIN_COUNTS, NAMES, l2=1e-6)
        self.assertEqual(model.feature_names, NAMES)
        self.assertEqual(model.bin_counts, BIN_COUNTS)
        self.assertAlmostEqual(model.intercept, TRUE_INTERCEPT, delta=0.02)
        for fitted, true in zip(model.weights, TRUE_WEIGHTS, strict=True):
            self.assertEqual(fitted[0], 0.0)
            for fitted_weight, true_weight in zip(fitted, true, strict=True):
                self.assertAlmostEqual(fitted_weight, true_weight, delta=0.02)

    def test_one_feature_reproduces_the_observed_rates(self):
        model = train(ONE_FEATURE, (3,), ("late_share",), l2=0.0)
        for bins, late, total in ONE_FEATURE:
            self.assertAlmostEqual(model.probability(bins), late / total, places=6)
        self.assertAlmostEqual(model.intercept, -0.8472979, places=6)
        self.assertAlmostEqual(model.weights[0][1], -0.2513144, places=6)
        self.assertAlmostEqual(model.weights[0][2], 1.9459101, places=6)

    def test_a_start_elsewhere_reaches_the_same_optimum(self):
        far = Model(
            feature_names=("late_share",),
            bin_counts=(3,),
            intercept=2.0,
            weights=((0.0, 3.0, -3.0),),
        )
        model = train(ONE_FEATURE, (3,), ("late_share",), l2=0.0, start=far)
        self.assertAlmostEqual(model.intercept, -0.8472979, places=6)
        self.assertAlmostEqual(model.weights[0][1], -0.2513144, places=6)
        self.assertAlmostEqual(model.weights[0][2], 1.9459101, places=6)

    def test_ridge_shrinks_the_weights(self):
        sizes = []
        for l2 in (0.0, 0.1, 1.0, 10.0, 100.0):
            model = train(ONE_FEATURE, (3,), ("late_share",), l2=l2)
            sizes.append(sum(abs(weight) for weight in model.weights[0]))
        self.assertEqual(sizes, sorted(sizes, reverse=True))
        self.assertEqual(len(set(sizes)), len(sizes))
        self.assertLess(sizes[-1], 0.1 * sizes[0])

    def test_ridge_optimum_and_free_intercept(self):
        # At the optimum the late items each bin b >= 1 misses equal l2 times
        # its weight, and the intercept (unpenalised) misses none overall.
        model = train(ONE_FEATURE, (3,), ("late_share",), l2=10.0)
        missed = [late - total * model.probability(b) for b, late, total in ONE_FEATURE]
        self.assertAlmostEqual(missed[1], 10.0 * model.weights[0][1], places=6)
        self.assertAlmostEqual(missed[2], 10.0 * model.weights[0][2], places=6)
        self.assertAlmostEqual(sum(missed), 0.0, places=6)
        # A huge ridge leaves only the intercept: logit(17 / 42) = ln(17/25).
        flat = train(ONE_FEATURE, (3,), ("late_share",), l2=1e9)
        self.assertAlmostEqual(flat.intercept, -0.3856625, places=5)

    def test_unseen_bin_weighs_nothing(self):
        for l2 in (0.0, 1.0):
            model = train(ONE_FEATURE, (4,), ("late_share",), l2=l2)
            self.assertEqual(model.weights[0][3], 0.0)
            self.assertEqual(model.probability((3,)), model.probability((0,)))

    def test_duplicates_are_summed_and_empty_rows_ignored(self):
        split = [
            ((0,), 1, 4),
            ((1,), 2.5, 8.0),
            ((0,), 2, 6),
            ((2,), 0, 0),
            ((1,), 2.5, 12.0),
        ]
        merged = train([((0,), 3, 10), ((1,), 5, 20)], (3,), ("x",), l2=0.5)
        self.assertEqual(train(split, (3,), ("x",), l2=0.5), merged)
        self.assertEqual(merged.weights[0][2], 0.0)

    def test_not_enough_history(self):
        cases = [
            [],
            [((0,), 0, 0)],
            [((0,), 5, 5), ((1,), 3, 3)],
            [((0,), 0, 5), ((1,), 0, 3)],
        ]
        for groups in cases:
            with self.subTest(groups=groups), self.assertRaises(NotEnoughHistory):
                train(groups, (2,), ("x",))
        self.assertTrue(issubclass(NotEnoughHistory, ValueError))

    def test_bad_rows_are_refused(self):
        for row in [((0,), 6, 5), ((0,), -1, 5), ((2,), 1, 5), ((-1,), 1, 5)]:
            with self.subTest(row=row), self.assertRaises(ValueError):
                train([row, ((1,), 1, 5)], (2,), ("x",))
        with self.assertRaises(ValueError):
            train([((0, 1), 1, 5)], (2,), ("x",))


class TestModel(unittest.TestCase):
    def model(self, intercept=-1.0):
        return Model(
            feature_names=("a", "b", "c"),
            bin_counts=(2, 3, 2),
            intercept=intercept,
            weights=((0.0, 0.7), (0.0, -1.5, 0.2), (0.0, 0.7)),
        )

    def test_probability_is_safe_and_symmetric(self):
        one_bin = (("x",), (1,), ((0.0,),))
        self.assertEqual(Model(*one_bin[:2], 1000.0, one_bin[2]).probability((0,)), 1)
        self.assertEqual(Model(*one_bin[:2], -1000.0, one_bin[2]).probability((0,)), 0)
        self.assertEqual(Model(*one_bin[:2], 0.0, one_bin[2]).probability((0,)), 0.5)
        high = Model(*one_bin[:2], 2.5, one_bin[2]).probability((0,))
        low = Model(*one_bin[:2], -2.5, one_bin[2]).probability((0,))
        self.assertAlmostEqual(high + low, 1.0, places=15)
        self.assertAlmostEqual(high, 1 / (1 + math.exp(-2.5)), places=15)

    def test_contributions_sorted_and_adding_up(self):
        model = self.model()
        # Ties (0.7 twice) keep the feature order.
        self.assertEqual(
            model.contributions((1, 1, 1)),
            [(1, 1, -1.5), (0, 1, 0.7), (2, 1, 0.7)],
        )
        self.assertEqual(
            model.contributions((0, 2, 1)), [(2, 1, 0.7), (1, 2, 0.2), (0, 0, 0.0)]
        )
        for bins in itertools.product(range(2), range(3), range(2)):
            total = model.intercept + sum(w for _f, _b, w in model.contributions(bins))
            self.assertAlmostEqual(total, model.log_odds(bins), places=12)
        # -1 + 0.7 - 1.5 + 0.7 = -1.1
        self.assertAlmostEqual(model.log_odds((1, 1, 1)), -1.1, places=12)
        with self.assertRaises(ValueError):
            model.log_odds((1, 3, 0))
        with self.assertRaises(ValueError):
            model.log_odds((1, 1))

    def test_dict_round_trip_through_json(self):
        model = train(synthetic_groups(), BIN_COUNTS, NAMES)
        restored = Model.from_dict(json.loads(json.dumps(model.to_dict())))
        self.assertEqual(restored, model)
        self.assertEqual(restored.probability((2, 3, 1)), model.probability((2, 3, 1)))

    def test_shape_is_checked(self):
        with self.assertRaises(ValueError):
            Model(("a",), (3,), 0.0, ((0.0, 1.0),))
        with self.assertRaises(ValueError):
            Model(("a", "b"), (2,), 0.0, ((0.0, 1.0),))


class TestEvaluation(unittest.TestCase):
    def test_auc_with_ties(self):
        # Late items: 1 at 0.4, 2 at 0.8; on time: 2 at 0.1, 2 at 0.4.
        # 3 * 4 = 12 pairs. Late at 0.4 beats the two at 0.1 and ties the two
        # at 0.4 (2 * 1/2): 3. Each late at 0.8 beats all four: 8. 11 / 12.
        scored = [(0.1, 0, 2), (0.4, 1, 1), (0.4, 0, 2), (0.8, 2, 2)]
        self.assertAlmostEqual(auc(scored), 11 / 12)
        self.assertAlmostEqual(auc(reversed(scored)), 11 / 12)

    def test_auc_limits(self):
        self.assertEqual(auc([(0.9, 3, 3), (0.2, 0, 4)]), 1.0)
        self.assertEqual(auc([(0.2, 3, 3), (0.9, 0, 4)]), 0.0)
        self.assertEqual(auc([(0.5, 2, 6)]), 0.5)
        self.assertIsNone(auc([(0.3, 0, 5), (0.6, 0, 2)]))
        self.assertIsNone(auc([(0.3, 5, 5)]))
        self.assertIsNone(auc([]))

    def test_brier(self):
        # Late at 0.2: 0.8^2 = 0.64; on time at 0.2: 0.04; late at 0.9: 0.01.
        # 0.69 / 3 items = 0.23.
        self.assertAlmostEqual(brier([(0.2, 1, 2), (0.9, 1, 1), (0.5, 0, 0)]), 0.23)
        self.assertEqual(brier([(1.0, 2, 2), (0.0, 0, 3)]), 0.0)
        self.assertIsNone(brier([]))

    def test_log_loss(self):
        # -(ln 0.2 + ln 0.8 + ln 0.9) / 3 = ln(5 * 1.25 * 10/9) / 3
        # = ln(6.9444) / 3 = 1.937942 / 3 = 0.645981
        self.assertAlmostEqual(log_loss([(0.2, 1, 2), (0.9, 1, 1)]), 0.645981, 6)
        # A certain mistake is clipped at 1e-15: -ln(1e-15) = 34.538776
        self.assertAlmostEqual(log_loss([(0.0, 1, 1)]), 34.538776, 5)
        self.assertIsNone(log_loss([(0.3, 0, 0)]))

    def test_calibration(self):
        scored = [
            (0.05, 1, 4),
            (0.35, 2, 5),
            (0.08, 0, 1),
            (1.0, 3, 3),
            (0.95, 0, 1),
            (0.5, 0, 0),
        ]
        expected = [
            # (0.05 * 4 + 0.08) / 5 = 0.056; 1 late of 5.
            (0.056, 0.2, 5),
            (0.35, 0.4, 5),
            # (1.0 * 3 + 0.95) / 4 = 0.9875; 3 late of 4.
            (0.9875, 0.75, 4),
        ]
        table = calibration(scored)
        self.assertEqual(len(table), len(expected))
        for row, expected_row in zip(table, expected, strict=True):
            for value, expected_value in zip(row, expected_row, strict=True):
                self.assertAlmostEqual(value, expected_value)
        # Five bins of 0.2: 0.35 falls in [0.2, 0.4), 1.0 still in the last.
        self.assertEqual([row[2] for row in calibration(scored, 5)], [5, 5, 4])
        self.assertEqual(calibration([]), [])

    def test_calibration_fit_of_right_probabilities(self):
        # Observed rates 1/4, 2/4, 3/4 at logits -ln 3, 0, ln 3: exactly the
        # probabilities, so the fit is slope 1, intercept 0.
        scored = [(0.25, 1, 4), (0.5, 2, 4), (0.75, 3, 4)]
        slope, intercept = calibration_fit(scored)
        self.assertAlmostEqual(slope, 1.0, places=8)
        self.assertAlmostEqual(intercept, 0.0, places=8)

    def test_calibration_fit_of_two_levels_is_saturated(self):
        # Two distinct logits: the line passes through both observed rates.
        # Logit 0 observed 1/5 (log-odds -ln 4), logit ln 3 observed 4/5 (ln 4):
        # slope = 2 ln 4 / ln 3, intercept = -ln 4.
        slope, intercept = calibration_fit([(0.5, 1, 5), (0.75, 4, 5)])
        self.assertAlmostEqual(slope, 2 * math.log(4) / math.log(3), places=8)
        self.assertAlmostEqual(intercept, -math.log(4), places=8)

    def test_calibration_fit_undefined(self):
        self.assertIsNone(calibration_fit([(0.3, 1, 4)]))  # one probability
        self.assertIsNone(calibration_fit([(0.3, 0, 4), (0.6, 0, 4)]))  # no late
        # Perfectly separated: the slope runs off to infinity.
        self.assertIsNone(calibration_fit([(0.3, 0, 4), (0.6, 4, 4)]))

    def test_platt_uses_smoothed_targets(self):
        # 4 late and 4 on time: targets 5/6 and 1/6.  At log-odds 0, 1 late of
        # 4 -> (5/6 + 3/6) / 4 = 1/3; at log-odds 1, 3 late -> (15/6 + 1/6) / 4
        # = 2/3.  Saturated: intercept logit(1/3) = -ln 2, slope 2 ln 2.
        slope, intercept = fit_platt([(0.0, 1, 4), (1.0, 3, 4)])
        self.assertAlmostEqual(intercept, -math.log(2), places=8)
        self.assertAlmostEqual(slope, 2 * math.log(2), places=8)

    def test_platt_stays_finite_when_separated(self):
        # 2 late, 2 on time, separated: targets 3/4 and 1/4, so the late
        # level maps to logit 3/4 = ln 3 and the other to -ln 3.
        slope, intercept = fit_platt([(-1.0, 0, 2), (2.0, 2, 2)])
        self.assertAlmostEqual(intercept + slope * 2.0, math.log(3), places=8)
        self.assertAlmostEqual(intercept - slope, -math.log(3), places=8)

    def test_platt_without_both_outcomes_changes_nothing(self):
        self.assertEqual(fit_platt([(0.0, 0, 3), (1.0, 0, 3)]), (1.0, 0.0))
        self.assertEqual(fit_platt([(0.0, 2, 2)]), (1.0, 0.0))
        self.assertEqual(fit_platt([(0.5, 1, 3)]), (1.0, 0.0))  # one score
        # 4 late and 4 on time, fewer than the 5 of each asked for.
        self.assertEqual(fit_platt([(0.0, 1, 4), (1.0, 3, 4)], min_each=5), (1.0, 0.0))
        self.assertNotEqual(
            fit_platt([(0.0, 1, 4), (1.0, 3, 4)], min_each=4), (1.0, 0.0)
        )

    def test_calibrated_model_maps_its_log_odds(self):
        model = Model(("x",), (2,), -1.0, ((0.0, 0.5),))
        calibrated = model.calibrated(2.0, 0.5)
        # Bin 1: raw log-odds -0.5, calibrated 0.5 + 2 * -0.5 = -0.5.
        self.assertAlmostEqual(
            calibrated.probability((1,)), 1 / (1 + math.exp(0.5)), places=15
        )
        # Bin 0: 0.5 + 2 * -1 = -1.5; the raw log-odds and weights are kept.
        self.assertAlmostEqual(
            calibrated.probability((0,)), 1 / (1 + math.exp(1.5)), places=15
        )
        self.assertEqual(calibrated.log_odds((0,)), -1.0)
        restored = Model.from_dict(json.loads(json.dumps(calibrated.to_dict())))
        self.assertEqual(restored, calibrated)
        # A model stored before calibration existed is read uncalibrated.
        old = {k: v for k, v in model.to_dict().items() if "calibration" not in k}
        self.assertEqual(Model.from_dict(old), model)

    def test_calibration_weeks_the_shortest_window_with_enough_outcomes(self):
        # weeks ago: (late, total); week -1 is in the future and never counts.
        weekly = {-1: (50, 100), 0: (2, 5), 1: (3, 4), 2: (1, 6), 3: (4, 4)}
        # 2 weeks: 5 late, 4 on time; 3 weeks: 6 late, 9 on time;
        # 4 weeks: 10 late, 9 on time.
        self.assertEqual(calibration_weeks(weekly, (2, 3, 4), 5), 3)
        self.assertEqual(calibration_weeks(weekly, (2, 3, 4), 4), 2)
        # Not even the longest window has 10 of each: the longest is kept.
        self.assertEqual(calibration_weeks(weekly, (2, 3, 4), 10), 4)
        self.assertEqual(calibration_weeks({}, (5, 9), 1), 9)

    def test_recency_weight_halves_every_half_life(self):
        self.assertEqual(recency_weight(0, 180), 1.0)
        self.assertEqual(recency_weight(-5, 180), 1.0)
        self.assertAlmostEqual(recency_weight(180, 180), 0.5, places=15)
        self.assertAlmostEqual(recency_weight(540, 180), 0.125, places=15)
        with self.assertRaises(ValueError):
            recency_weight(10, 0)
