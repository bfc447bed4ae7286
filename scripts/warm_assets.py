"""Build the web client's and the portal's asset bundles once, before a server
answers its first request (run in ``odoo-bin shell``, ``env`` given).

Python 3.11.7 has CPython bug gh-106905 ("AST constructor recursion depth
mismatch"): a freshly started threaded Odoo compiling its bundles in several
request threads at once can answer 500 to the first page.  Bundles stored
here are only read by the server afterwards."""

BUNDLES = (
    "web.assets_web",
    "web.assets_frontend",
    "web.assets_frontend_minimal",
    "web.assets_frontend_lazy",
    "web.report_assets_common",
    "web.report_assets_pdf",
)

built = []
for name in BUNDLES:
    # Both directions: fa, ar and he pages use the right-to-left CSS.
    for rtl in (False, True):
        try:
            bundle = env["ir.qweb"]._get_asset_bundle(name, rtl=rtl)  # noqa: F821
        except ValueError:
            continue  # a bundle this database does not have
        if not rtl and bundle.javascripts:
            bundle.js()
        if bundle.stylesheets:
            bundle.css()
        built.append(f"{name}{' (rtl)' if rtl else ''}")
env.cr.commit()  # noqa: F821
print("assets built: " + ", ".join(built))
