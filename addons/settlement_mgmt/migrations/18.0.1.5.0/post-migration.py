"""Reminder channels become records (18.0.1.5.0): see pre-migration.py.

Levels get a channel line per boolean that was on.  Each reminder gets a
delivery per channel it used, in the state the old record tells: the e-mail
follows its message's notifications (recomputed below), a letter with its
PDF was printed, a call with an outcome was called.  The daily cron (a
noupdate record) now runs on the dunning engine."""

from odoo import SUPERUSER_ID, api

STASH = "settlement_dunning_channel_migration"


def migrate(cr, version):
    env = api.Environment(cr, SUPERUSER_ID, {})
    cron = env.ref(
        "settlement_mgmt.ir_cron_settlement_dunning", raise_if_not_found=False
    )
    if cron:
        cron.model_id = env["ir.model"]._get("settlement.dunning.engine")
    cr.execute("SELECT to_regclass(%s)", (STASH,))
    if not cr.fetchone()[0]:
        return
    cr.execute(
        f"""
        INSERT INTO settlement_dunning_level_channel
               (level_id, company_id, sequence, channel, trigger,
                create_uid, create_date, write_uid, write_date)
        SELECT level.id, level.company_id, stash.sequence, stash.channel, 'always',
               %(uid)s, now() at time zone 'UTC', %(uid)s, now() at time zone 'UTC'
          FROM {STASH} stash
          JOIN settlement_dunning_level level ON level.id = stash.res_id
         WHERE stash.kind = 'level'
        ON CONFLICT DO NOTHING
        """,
        {"uid": SUPERUSER_ID},
    )
    cr.execute(
        f"""
        INSERT INTO settlement_dunning_delivery
               (communication_id, company_id, channel, level_channel_id,
                mail_message_id, state, failure_reason,
                date_queued, date_sent, date_done,
                create_uid, create_date, write_uid, write_date)
        SELECT reminder.id, reminder.company_id, stash.channel, level_channel.id,
               CASE WHEN stash.channel = 'email' THEN reminder.mail_message_id END,
               CASE stash.channel
                    WHEN 'letter' THEN CASE WHEN reminder.letter_attachment_id
                                            IS NOT NULL THEN 'printed'
                                            ELSE 'failed' END
                    WHEN 'call' THEN CASE WHEN reminder.call_state IN
                                          ('reached', 'no_answer', 'promise',
                                           'dispute') THEN 'called'
                                          ELSE 'queued' END
                    ELSE 'queued' END,
               CASE WHEN stash.channel = 'letter'
                         AND reminder.letter_attachment_id IS NULL
                    THEN %(no_letter)s END,
               reminder.create_date,
               CASE WHEN stash.channel = 'letter'
                         AND reminder.letter_attachment_id IS NOT NULL
                    THEN reminder.create_date END,
               CASE WHEN stash.channel = 'letter'
                      OR (stash.channel = 'call' AND reminder.call_state
                          IN ('reached', 'no_answer', 'promise', 'dispute'))
                    THEN reminder.write_date END,
               %(uid)s, now() at time zone 'UTC', %(uid)s, now() at time zone 'UTC'
          FROM {STASH} stash
          JOIN settlement_dunning_communication reminder ON reminder.id = stash.res_id
          LEFT JOIN settlement_dunning_level_channel level_channel
            ON level_channel.level_id = reminder.level_id
           AND level_channel.channel = stash.channel
         WHERE stash.kind = 'reminder'
         ORDER BY reminder.id, stash.sequence
        """,
        {"uid": SUPERUSER_ID, "no_letter": "No letter was printed for this reminder."},
    )
    cr.execute(f"DROP TABLE {STASH}")
    # E-mail deliveries from their notifications, then every reminder's
    # summary ("pending" became "queued").
    Delivery = env["settlement.dunning.delivery"]
    emails = Delivery.search([("mail_message_id", "!=", False)])
    env.add_to_compute(Delivery._fields["state"], emails)
    Communication = env["settlement.dunning.communication"]
    reminders = Communication.with_context(active_test=False).search([])
    env.add_to_compute(Communication._fields["delivery_state"], reminders)
    env.flush_all()
