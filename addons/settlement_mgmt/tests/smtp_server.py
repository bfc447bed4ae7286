"""A real SMTP server for tests: aiosmtpd on 127.0.0.1, a free port, an
``ir.mail_server`` pointing to it, stopped after the test.

Odoo's test mode neither connects to nor sends through a mail server
(``ir.mail_server.connect`` and ``send_email`` return early while
``odoo.modules.module.current_test`` is set).  Only that module's view of
"test mode" is switched off, for the test that started the server: the rest of
Odoo still runs as under test (no commits in ``mail.mail.send``)."""

import socket
from email import message_from_bytes, policy
from types import SimpleNamespace
from unittest.mock import patch

from aiosmtpd.controller import Controller

from odoo.addons.base.models import ir_mail_server


class RecordingHandler:
    """Accepts every message, refusing (550) the recipients in ``refused``;
    keeps what it received as parsed ``email.message.EmailMessage``."""

    def __init__(self, refused=()):
        self.refused = {address.lower() for address in refused}
        self.received = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower() in self.refused:
            return f"550 5.1.1 <{address}>: Recipient address rejected: User unknown"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.received.append(
            SimpleNamespace(
                mail_from=envelope.mail_from,
                rcpt_tos=list(envelope.rcpt_tos),
                message=message_from_bytes(
                    envelope.original_content or envelope.content,
                    policy=policy.default,
                ),
            )
        )
        return "250 Message accepted for delivery"

    def to(self, address):
        """The messages delivered to ``address``."""
        return [
            received
            for received in self.received
            if address.lower() in (rcpt.lower() for rcpt in received.rcpt_tos)
        ]


def _free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class SmtpServerMixin:
    """``start_smtp_server()`` in a test: the handler the messages arrive at."""

    def start_smtp_server(self, refused=()):
        handler = RecordingHandler(refused)
        port = _free_port()
        controller = Controller(handler, hostname="127.0.0.1", port=port)
        controller.start()
        self.addCleanup(controller.stop)
        self.env["ir.mail_server"].create(
            {
                "name": "Test SMTP server",
                "smtp_host": "127.0.0.1",
                "smtp_port": port,
                "smtp_encryption": "none",
                "sequence": 1,
            }
        )
        no_test_mode = SimpleNamespace(module=SimpleNamespace(current_test=None))
        patcher = patch.object(ir_mail_server, "modules", no_test_mode)
        patcher.start()
        self.addCleanup(patcher.stop)
        return handler

    def send_mail_queue(self, **context):
        """Send the mail queue as the mail cron does."""
        self.env["mail.mail"].with_context(**context).process_email_queue()


def parts(message):
    """{content type: [parts]} of a received message, multipart containers
    included."""
    found = {}
    for part in message.walk():
        found.setdefault(part.get_content_type(), []).append(part)
    return found
