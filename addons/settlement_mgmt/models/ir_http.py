from odoo import models
from odoo.http import request
from odoo.service import security

# The language a logged-in customer chose in the address (/fa/my, /en/my)
# during its session: kept so that choosing the default language, which core
# remembers in the cookie alone (/en/my redirects to /my), lasts too.
SESSION_CHOSEN_LANG = "settlement_portal_lang"


class IrHttp(models.AbstractModel):
    _inherit = "ir.http"

    @classmethod
    def _get_translation_frontend_modules_name(cls):
        """The portal chatter shows mail's terms ("The conversation is
        empty.", the composer) and ours: load their translations on frontend
        pages too, not only web's and portal's."""
        return [
            *super()._get_translation_frontend_modules_name(),
            "mail",
            "settlement_mgmt",
        ]

    @classmethod
    def _match(cls, path):
        # Only on the first match of a request: a rerouted URL (/fa/my → /my)
        # comes back here with the language already chosen.
        if not hasattr(request, "is_frontend"):
            cls._settlement_portal_user_lang(path)
        return super()._match(path)

    @classmethod
    def _settlement_portal_user_lang(cls, path):
        """A logged-in customer reads the portal in the language of its user.

        Core chooses the language of a frontend page from the address, then
        the ``frontend_lang`` cookie, then the session.  That cookie is set by
        any page seen before logging in (an invoice link from an e-mail, an
        earlier visitor of the same browser) from the browser's
        Accept-Language, so a Persian customer with an English browser got
        every page in English, left to right.  For a valid session of a portal
        (share) user, the cookie is replaced for this request by the language
        the customer chose in the address during this session, else by its
        user's language; a language in the address still wins, and core then
        redirects and stores the cookie as usual."""
        session = request.session
        if (
            not session.uid
            or not request.env
            or path.startswith(("/web/", "/websocket"))
        ):
            return
        segment = path.split("/", 2)[1] if path.count("/") else ""
        if not segment and "frontend_lang" not in request.cookies:
            return
        env = request.env
        if not security.check_session(session, env):
            return
        user = env["res.users"].sudo().browse(session.uid)
        if not user.share or user._is_public():
            return
        chosen = env["res.lang"]._get_data(url_code=segment).code if segment else None
        if chosen and chosen in env["res.lang"]._get_frontend():
            if session.get(SESSION_CHOSEN_LANG) != chosen:
                session[SESSION_CHOSEN_LANG] = chosen
            return
        lang = session.get(SESSION_CHOSEN_LANG) or env["res.users"].with_user(
            user
        ).context_get().get("lang")
        if not lang or request.cookies.get("frontend_lang") == lang:
            return
        cookies = request.cookies.copy()
        cookies["frontend_lang"] = lang
        request.cookies = type(request.cookies)(cookies)
