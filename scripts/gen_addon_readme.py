"""Write each addon's README.rst and static/description/index.html from readme/*.md.

The OCA layout: the readme/ fragments are the source; README.rst (read on the
forge and in the wheel's metadata) and static/description/index.html (the page
Odoo's Apps screen and the Odoo Apps store show) are generated, the page from
README.rst with docutils' html4css1 writer, as OCA's oca-gen-addon-readme does.

Usage: gen_addon_readme.py [--check] [ADDON_DIR ...]
  (no ADDON_DIR: every addon of the repository; --check: write nothing, exit 1
  and name the stale files if a generated file differs from its fragments)

The fragments use a small part of Markdown: paragraphs, bullet lists, *emphasis*,
**strong**, `code`, [links](url), ## headings, and images on a line of their
own: ![Alt text](../static/description/name.png).
"""

import ast
import re
import sys
from pathlib import Path

from docutils.core import publish_string
from docutils.utils import SystemMessage

REPO = Path(__file__).resolve().parent.parent

SECTIONS = (
    ("DESCRIPTION.md", None),
    ("CONFIGURE.md", "Configuration"),
    ("USAGE.md", "Usage"),
    ("HISTORY.md", "Changelog"),
    ("CONTRIBUTORS.md", "Contributors"),
)
NOTICE = "Generated from the readme/ fragments by scripts/gen_addon_readme.py"
IMAGE = re.compile(r"^!\[([^\]]*)\]\((?:\.\./)?static/description/([^)\s]+)\)$")
LINK = re.compile(r"(?<!!)\[([^\]]+)\]\(([^)\s]+)\)")
HEADING = re.compile(r"^(#{1,4})\s+(.+?)\s*#*$")
# Headings inside a section (## in a fragment) and inside those (###).
UNDERLINES = {2: "-", 3: "~", 4: "^"}
RST2HTML_SETTINGS = {
    "embed_stylesheet": True,
    "doctitle_xform": True,
    "output_encoding": "unicode",
    "xml_declaration": False,
    "report_level": 2,
    "halt_level": 2,
    "traceback": True,
}


def md_to_rst(text, image_prefix):
    """Markdown fragment → reStructuredText; images point to image_prefix."""
    lines = []
    for line in text.strip().splitlines():
        image = IMAGE.match(line.strip())
        heading = HEADING.match(line)
        if image:
            alt, name = image.groups()
            lines += [
                f".. image:: {image_prefix}{name}",
                f"   :alt: {alt}",
                "   :width: 100%",
            ]
        elif heading:
            level = max(2, len(heading.group(1)))
            title = heading.group(2)
            lines += [title, UNDERLINES[level] * len(title)]
        else:
            line = re.sub(r"(?<!`)`([^`\n]+)`(?!`)", r"``\1``", line)
            lines.append(LINK.sub(r"`\1 <\2>`__", line))
    return "\n".join(lines) + "\n"


def _manifest(addon_dir):
    return ast.literal_eval((addon_dir / "__manifest__.py").read_text(encoding="utf-8"))


def render_rst(addon_dir, image_prefix="static/description/"):
    manifest = _manifest(addon_dir)
    title = manifest["name"]
    parts = [
        "=" * len(title),
        title,
        "=" * len(title),
        "",
        "..",
        f"   {NOTICE};",
        "   edit those, not this file.",
        "",
        f"License: {manifest['license']}. Version: {manifest['version']}.",
        "",
    ]
    for filename, heading in SECTIONS:
        path = addon_dir / "readme" / filename
        if not path.exists():
            continue
        if heading:
            parts += [heading, "=" * len(heading), ""]
        parts.append(md_to_rst(path.read_text(encoding="utf-8"), image_prefix))
    return "\n".join(parts)


def render_html(addon_dir):
    """The Apps page: images by bare file name, which Odoo's Apps screen maps
    to /<addon>/static/description/<name> and the Apps store resolves beside
    index.html."""

    html = publish_string(
        source=render_rst(addon_dir, image_prefix=""),
        writer_name="html4css1",
        settings_overrides=RST2HTML_SETTINGS,
    )
    # The docutils version is not part of the page.
    html = re.sub(r'<meta name="generator"[^>]*>\n', "", html)
    return html


def targets(addon_dir):
    return {
        addon_dir / "README.rst": render_rst(addon_dir),
        addon_dir / "static" / "description" / "index.html": render_html(addon_dir),
    }


def main(argv):
    check = "--check" in argv
    addon_dirs = [Path(arg) for arg in argv if arg != "--check"] or sorted(
        path.parent for path in (REPO / "addons").glob("*/__manifest__.py")
    )
    stale = []
    for addon_dir in addon_dirs:
        try:
            pages = targets(addon_dir)
        except SystemMessage as error:
            print(f"{addon_dir}/readme: not valid once in reStructuredText: {error}")
            return 1
        for target, content in pages.items():
            current = target.read_text(encoding="utf-8") if target.exists() else None
            if current == content:
                continue
            if check:
                stale.append(str(target))
            else:
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(content, encoding="utf-8")
                print("wrote", target)
    if stale:
        print("stale, run ./dev readme:", *stale)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
