"""How the late-payment model's factors and their bins read, in the user's
language: one title and one label per bin, in the order of ``FEATURES``
(``settlement_prediction_model``).  Shown by the model's scorecard and by each
prediction's main factors."""


def factor_labels(env):
    # The late share's bins, over 12 months and over the last 3.
    late_share_bins = (
        env._("no history"),
        env._("never"),
        env._("up to 10 %"),
        env._("10 to 25 %"),
        env._("25 to 50 %"),
        env._("50 to 75 %"),
        env._("over 75 %"),
    )
    return {
        "late_share": (
            env._("Paid late in the last 12 months"),
            late_share_bins,
        ),
        "days_late": (
            env._("Average days late"),
            (
                env._("on time"),
                env._("1 to 5"),
                env._("6 to 15"),
                env._("16 to 30"),
                env._("31 to 60"),
                env._("over 60"),
            ),
        ),
        "early_share": (
            env._("Paid early in the last 12 months"),
            (
                env._("no history"),
                env._("never"),
                env._("up to 25 %"),
                env._("25 to 50 %"),
                env._("50 to 75 %"),
                env._("over 75 %"),
            ),
        ),
        "amount": (
            env._("Invoice amount"),
            (
                env._("up to 500"),
                env._("500 to 2,000"),
                env._("2,000 to 10,000"),
                env._("over 10,000"),
            ),
        ),
        "relative_amount": (
            env._("Amount against the customer's usual"),
            (
                env._("no history"),
                env._("under half"),
                env._("about the same"),
                env._("1.5 to 3 times"),
                env._("over 3 times"),
            ),
        ),
        "term_days": (
            env._("Payment terms"),
            (
                env._("immediate"),
                env._("up to 30 days"),
                env._("31 to 45 days"),
                env._("over 45 days"),
            ),
        ),
        "due_month": (
            env._("Due in"),
            (
                env._("January"),
                env._("February"),
                env._("March"),
                env._("April"),
                env._("May"),
                env._("June"),
                env._("July"),
                env._("August"),
                env._("September"),
                env._("October"),
                env._("November"),
                env._("December"),
            ),
        ),
        "reminders": (
            env._("Reminders in the last 12 months"),
            (
                env._("none"),
                env._("1 to 2"),
                env._("3 to 5"),
                env._("6 to 10"),
                env._("over 10"),
            ),
        ),
        "prior_invoices": (
            env._("Invoices due in the last 12 months"),
            (
                env._("none"),
                env._("1 to 3"),
                env._("4 to 10"),
                env._("11 to 30"),
                env._("over 30"),
            ),
        ),
        "dispute": (
            env._("Dispute"),
            (
                env._("none"),
                env._("another invoice disputed"),
                env._("this invoice disputed"),
            ),
        ),
        "split_share": (
            env._("Settled in several payments in the last 12 months"),
            (
                env._("no history"),
                env._("never"),
                env._("up to 25 %"),
                env._("25 to 50 %"),
                env._("over 50 %"),
            ),
        ),
        "broken_commitments": (
            env._("Promises broken and plans defaulted in the last 12 months"),
            (
                env._("none"),
                env._("one"),
                env._("two or more"),
            ),
        ),
        "tenure_days": (
            env._("Customer since"),
            (
                env._("first invoice"),
                env._("under 3 months"),
                env._("3 to 12 months"),
                env._("1 to 2 years"),
                env._("over 2 years"),
            ),
        ),
        "recent_late_share": (
            env._("Paid late in the last 3 months"),
            late_share_bins,
        ),
    }
