"""Portal users for the load test (``./dev bench load``, part of ``./dev bench
growth``), inside ``odoo shell``: the customers with the most open items get a
portal user each (made once, kept: a rerun finds them), and the administrator
a known password.  Prints USERS<json>: [[login, password, [invoice ids]], ...]
for bench/bench_load.py.
"""

import json
import os

from odoo import Command

CUSTOMERS = int(os.environ.get("BENCH_LOAD_CUSTOMERS", "20"))
PASSWORD = "bench-portal"


def portal_users(env):
    env.cr.execute(
        """
        SELECT item.partner_id, array_agg(DISTINCT item.move_id ORDER BY item.move_id)
          FROM settlement_receivable_item item
          JOIN res_partner partner ON partner.id = item.partner_id
         WHERE partner.active
      GROUP BY item.partner_id
      ORDER BY count(*) DESC, item.partner_id
         LIMIT %s
        """,
        [CUSTOMERS],
    )
    rows = env.cr.fetchall()
    portal = env.ref("base.group_portal")
    Users = env["res.users"].with_context(no_reset_password=True)
    users = []
    for partner_id, move_ids in rows:
        login = f"bench.portal.{partner_id}"
        if not Users.search([("login", "=", login)]):
            partner = env["res.partner"].browse(partner_id)
            Users.create(
                {
                    "name": partner.name,
                    "login": login,
                    "password": PASSWORD,
                    "partner_id": partner_id,
                    "groups_id": [Command.set([portal.id])],
                }
            )
        users.append([login, PASSWORD, move_ids[:20]])
    env.ref("base.user_admin").password = "admin"
    env.cr.commit()
    print("USERS" + json.dumps(users))


if __name__ in ("__main__", "builtins"):
    portal_users(env)  # noqa: F821 - provided by odoo shell
