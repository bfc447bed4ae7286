"""Reminder channels become records (18.0.1.5.0).

Before: three booleans ``send_email``, ``send_letter``, ``create_call`` on
dunning levels and on reminders.  After: channel lines on the levels
(``settlement.dunning.level.channel``) and one delivery per channel on each
reminder (``settlement.dunning.delivery``).  The update drops the columns of
fields the code no longer has, so the booleans are set aside here, before
it, in a work table the post-migration script turns into records and drops."""

STASH = "settlement_dunning_channel_migration"


def _columns(cr, table):
    cr.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = %s",
        (table,),
    )
    return {row[0] for row in cr.fetchall()}


def migrate(cr, version):
    if "send_email" not in _columns(cr, "settlement_dunning_level"):
        return  # never had the booleans
    cr.execute(f"DROP TABLE IF EXISTS {STASH}")
    cr.execute(
        f"""
        CREATE TABLE {STASH} (
            kind varchar NOT NULL,     -- 'level' or 'reminder'
            res_id integer NOT NULL,
            channel varchar NOT NULL,
            sequence integer NOT NULL
        )
        """
    )
    # The letter first: the engine prints it before the e-mail attaches it.
    for table, kind in (
        ("settlement_dunning_level", "level"),
        ("settlement_dunning_communication", "reminder"),
    ):
        cr.execute(
            f"""
            INSERT INTO {STASH} (kind, res_id, channel, sequence)
            SELECT %s, record.id, used.channel, used.sequence
              FROM {table} record
             CROSS JOIN LATERAL (VALUES ('letter', 10, record.send_letter),
                                        ('email', 20, record.send_email),
                                        ('call', 30, record.create_call))
                   AS used(channel, sequence, flag)
             WHERE used.flag
            """,
            (kind,),
        )
