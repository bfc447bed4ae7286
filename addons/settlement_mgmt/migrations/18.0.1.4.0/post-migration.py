"""The statement e-mail got a "Pay online" part (18.0.1.4.0).

Its template is in a noupdate block (a company may have reworded it), so an
update does not touch it.  When its English text is still the one this addon
shipped, reload that one record from the data file and drop its old
translations: Odoo loads the new ones from the catalogues right after this
script (missing translations are filled, existing ones are kept)."""

import io

from lxml import etree

from odoo import SUPERUSER_ID, api
from odoo.tools.convert import convert_xml_import
from odoo.tools.misc import file_path

OLD_SENTENCE = "You can also see it at any time on your customer portal."
XMLID = "mail_template_statement"


def migrate(cr, version):
    env = api.Environment(cr, SUPERUSER_ID, {})
    template = env.ref(f"settlement_mgmt.{XMLID}", raise_if_not_found=False)
    if not template:
        return
    cr.execute(
        "SELECT body_html ->> 'en_US' FROM mail_template WHERE id = %s",
        (template.id,),
    )
    body = cr.fetchone()[0] or ""
    if OLD_SENTENCE not in body:
        return  # reworded by the company: left as it is
    path = file_path("settlement_mgmt/data/mail_template_data.xml")
    record = etree.parse(path).find(f".//record[@id='{XMLID}']")
    document = etree.Element("odoo")
    etree.SubElement(document, "data", noupdate="1").append(record)
    one_record = io.BytesIO(etree.tostring(document))
    one_record.name = path  # convert_xml_import names the file in its logs
    convert_xml_import(
        env,
        "settlement_mgmt",
        one_record,
        idref={},
        mode="init",
        noupdate=True,
    )
    cr.execute(
        """
        UPDATE mail_template
           SET body_html = jsonb_build_object('en_US', body_html -> 'en_US')
         WHERE id = %s
        """,
        (template.id,),
    )
    template.invalidate_recordset(["body_html"])
