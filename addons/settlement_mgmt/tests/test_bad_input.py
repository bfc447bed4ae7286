"""Bad input, generated: whatever the numbers, the pure computations keep
their invariants and the wizards either build something exact or refuse with
a clear error and write nothing."""

import unittest
from datetime import date, timedelta
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged

from ..lib.amount_words import amount_in_words
from ..lib.dunning import accrued_interest, late_fee, level_index
from ..lib.schedule import ScheduleError, allocate_payment, check_schedule, split_amount
from .common import SettlementCommon

CENTS = st.integers(min_value=1, max_value=10**9).map(lambda c: c / 100)
FAST = settings(max_examples=60, deadline=None)


class TestPureInvariants(unittest.TestCase):
    @FAST
    @given(total=CENTS, count=st.integers(min_value=1, max_value=60))
    def test_split_adds_up_exactly_or_refuses(self, total, count):
        try:
            parts = split_amount(total, count)
        except ScheduleError as error:
            self.assertEqual(error.code, "too_small")
            self.assertLess(round(total * 100), count)
            return
        self.assertEqual(len(parts), count)
        self.assertEqual(sum(Decimal(str(part)) for part in parts), Decimal(str(total)))
        self.assertTrue(all(part > 0 for part in parts))

    @FAST
    @given(
        residuals=st.lists(CENTS, min_size=1, max_size=12),
        paid=st.integers(min_value=-(10**6), max_value=10**11).map(lambda c: c / 100),
    )
    def test_allocation_never_negative_and_oldest_first(self, residuals, paid):
        after = allocate_payment(residuals, paid)
        self.assertTrue(
            all(0 <= new <= old for new, old in zip(after, residuals, strict=True))
        )
        settled = sum(
            Decimal(str(a)) - Decimal(str(b))
            for a, b in zip(residuals, after, strict=True)
        )
        self.assertEqual(
            settled,
            min(max(Decimal(str(paid)), 0), sum(Decimal(str(r)) for r in residuals)),
        )
        # Oldest first: once an instalment keeps something, later ones are untouched.
        open_seen = False
        for new, old in zip(after, residuals, strict=True):
            if open_seen:
                self.assertEqual(new, old)
            open_seen = open_seen or new > 0

    @FAST
    @given(
        days=st.lists(
            st.integers(min_value=-30, max_value=400), min_size=1, max_size=6
        ),
        offset=st.integers(min_value=-5, max_value=60),
    )
    def test_schedule_in_the_past_or_unordered_is_refused(self, days, offset):
        today = date(2026, 11, 22)
        lines = [(today + timedelta(days=day), 10.0) for day in days]
        try:
            check_schedule(lines, 10.0 * len(lines), today)
        except ScheduleError as error:
            self.assertIn(error.code, ("date_in_past", "dates_not_increasing"))
            return
        self.assertTrue(all(day >= 0 for day in days))
        self.assertEqual(days, sorted(set(days)))

    @FAST
    @given(
        base=CENTS,
        percent=st.floats(min_value=0.01, max_value=99.99),
        minimum=st.integers(min_value=0, max_value=500),
        maximum=st.integers(min_value=0, max_value=5000),
    )
    def test_fee_stays_within_its_bounds(self, base, percent, minimum, maximum):
        fee = late_fee("percent", base, 0, percent, minimum, maximum)
        if maximum and minimum <= maximum:
            self.assertLessEqual(fee, maximum)
        if minimum and (not maximum or minimum <= maximum):
            self.assertGreaterEqual(fee, minimum)
        self.assertGreaterEqual(accrued_interest(base, 30, percent), 0)

    @FAST
    @given(days=st.integers(min_value=-1000, max_value=1000))
    def test_level_grows_with_lateness(self, days):
        levels = [-3, 7, 21, 45]
        here, later = level_index(days, levels), level_index(days + 1, levels)
        self.assertLessEqual(
            -1 if here is None else here, -1 if later is None else later
        )

    @FAST
    @given(
        amount=st.integers(min_value=0, max_value=10**12).map(lambda c: c / 100),
        currency=st.sampled_from(["USD", "EUR", "ILS", "AED", "SAR", "EGP"]),
        lang=st.sampled_from(["en", "fa", "ar", "he"]),
    )
    def test_amount_in_words_never_fails(self, amount, currency, lang):
        text = amount_in_words(amount, currency, lang)
        self.assertTrue(text.strip())


@tagged("post_install", "-at_install")
class TestWizardBadInput(SettlementCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.invoice = cls._invoice(cls.customer, 1000.0, days_old=40)

    @settings(
        max_examples=25,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture],
    )
    @given(
        count=st.integers(min_value=-5, max_value=80),
        down=st.integers(min_value=-200, max_value=1200),
        fee=st.integers(min_value=-50, max_value=200),
        rate=st.floats(min_value=-10, max_value=150, allow_nan=False),
        first=st.integers(min_value=-10, max_value=90),
    )
    def test_plan_wizard_is_exact_or_refuses_and_writes_nothing(
        self, count, down, fee, rate, first
    ):
        Plan = self.env["settlement.instalment.plan"]
        before = Plan.search_count([])
        wizard = (
            self.env["settlement.instalment.plan.create"]
            .with_context(active_model="account.move", active_ids=self.invoice.ids)
            .create(
                {
                    "instalment_count": count,
                    "down_payment": down,
                    "fee_fixed": fee,
                    "interest_rate": rate,
                    "first_date": self.today + timedelta(days=first),
                }
            )
        )
        try:
            with self.env.cr.savepoint():
                action = wizard.action_create()
        except (UserError, ValidationError) as error:
            self.assertTrue(str(error.args[0]).strip())
            self.assertEqual(Plan.search_count([]), before)
            return
        plan = Plan.browse(action["res_id"])
        self.assertEqual(
            plan.currency_id.round(sum(plan.line_ids.mapped("amount"))),
            plan.currency_id.round(plan.amount_total),
        )
        self.assertTrue(all(line.amount > 0 for line in plan.line_ids))
        self.assertGreaterEqual(min(plan.line_ids.mapped("date_due")), self.today)
        plan.action_cancel()
        plan.unlink()
