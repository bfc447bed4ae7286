"""Print Odoo's requirements.txt resolved as on Python 3.12.

Odoo 18 pins, for Python 3.11, sdists that no longer build (old lxml, gevent,
cryptography).  The pins it lists for Python 3.12 install from wheels on 3.11
too, so we evaluate every environment marker as if the interpreter were 3.12.
psycopg2 becomes psycopg2-binary (no libpq headers needed) and python-ldap is
dropped (only auth_ldap uses it, and it needs OpenLDAP headers to build).
"""

import sys

from packaging.requirements import Requirement

PY312 = {"python_version": "3.12", "python_full_version": "3.12.0"}
SKIPPED = {"python-ldap", "pypiwin32", "rl-renderpm"}
RENAMED = {"psycopg2": "psycopg2-binary"}


def resolved_lines(text):
    for raw in text.splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        req = Requirement(line)
        if req.marker and not req.marker.evaluate(PY312):
            continue
        name = req.name.lower()
        if name in SKIPPED:
            continue
        yield f"{RENAMED.get(name, req.name)}{req.specifier}"


if __name__ == "__main__":
    with open(sys.argv[1], encoding="utf-8") as handle:
        print("\n".join(resolved_lines(handle.read())))
