from odoo import fields, models

from ..lib.sms_length import sms_segments, sms_text


class SettlementDunningRun(models.TransientModel):
    _inherit = "settlement.dunning.run"

    def _preview_sms(self, reminder, level):
        """The SMS as the customer's phone will show it (its language,
        calendar and digits), its length in segments, and the number it goes
        to — or why it will not go."""
        level_channel = level.channel_ids.filtered(lambda line: line.channel == "sms")[
            :1
        ]
        template = reminder._sms_template(level_channel)
        # ``ids`` leaves out records not in the database: pass the new id.
        text = sms_text(
            template._render_field("body", list(reminder._ids), compute_lang=True)[
                reminder.id
            ]
        )
        _recipient, number, reason = reminder._sms_addresses()[reminder]
        return {
            "sms_preview": text,
            "sms_segments": sms_segments(text),
            "sms_number": number or False,
            "sms_problem": reason or False,
        }


class SettlementDunningRunLine(models.TransientModel):
    _inherit = "settlement.dunning.run.line"

    sms_preview = fields.Text(string="SMS", readonly=True)
    sms_segments = fields.Integer(
        string="SMS Segments",
        readonly=True,
        help="How many SMS the text is sent as (each is billed by the gateway).",
    )
    sms_number = fields.Char(string="Mobile", readonly=True)
    sms_problem = fields.Char(string="SMS Problem", readonly=True)
