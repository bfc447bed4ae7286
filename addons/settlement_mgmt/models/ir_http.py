from odoo import models
from odoo.http import request
from odoo.service import security


class IrHttp(models.AbstractModel):
    _inherit = "ir.http"

    @classmethod
    def _match(cls, path):
        # Only on the first match of a request: a rerouted URL (/fa/my → /my)
        # comes back here with the language already chosen.
        if not hasattr(request, "is_frontend"):
            cls._settlement_portal_user_lang()
        return super()._match(path)

    @classmethod
    def _settlement_portal_user_lang(cls):
        """A logged-in customer reads the portal in the language of its user.

        Core chooses the language of a frontend page from the URL, then the
        ``frontend_lang`` cookie, then the session.  That cookie is set on
        any page seen before logging in (an invoice link from an e-mail, a
        previous visitor of the same browser) from the browser's
        Accept-Language, so a Persian customer with an English browser got
        every page in English, left to right.  For a valid session of a portal
        (share) user, the cookie is replaced by the user's own language for
        this request; a language in the URL (the customer's explicit choice)
        still wins, and core then redirects and stores the cookie as usual."""
        session = request.session
        if not session.uid or not request.env:
            return
        env = request.env
        if not security.check_session(session, env):
            return
        user = env["res.users"].sudo().browse(session.uid)
        if not user.share or user._is_public():
            return
        lang = env["res.users"].with_user(user).context_get().get("lang")
        if not lang or request.cookies.get("frontend_lang") == lang:
            return
        cookies = request.cookies.copy()
        cookies["frontend_lang"] = lang
        request.cookies = type(request.cookies)(cookies)
