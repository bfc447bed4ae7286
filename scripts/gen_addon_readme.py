"""Write each addon's README.rst from its readme/*.md fragments (OCA layout).

Usage: gen_addon_readme.py ADDON_DIR [ADDON_DIR ...]   (--check: exit 1 if stale)
"""

import ast
import re
import sys
from pathlib import Path

SECTIONS = (
    ("DESCRIPTION.md", None),
    ("CONFIGURE.md", "Configuration"),
    ("USAGE.md", "Usage"),
    ("CONTRIBUTORS.md", "Contributors"),
)


def md_to_rst(text):
    text = re.sub(r"(?<!`)`([^`\n]+)`(?!`)", r"``\1``", text)
    return text.strip() + "\n"


def render(addon_dir):
    addon_dir = Path(addon_dir)
    manifest = ast.literal_eval(
        (addon_dir / "__manifest__.py").read_text(encoding="utf-8")
    )
    title = manifest["name"]
    parts = [
        "=" * len(title),
        title,
        "=" * len(title),
        "",
        "..",
        "   Generated from the readme/ fragments by scripts/gen_addon_readme.py;",
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
        parts.append(md_to_rst(path.read_text(encoding="utf-8")))
    return "\n".join(parts)


def main(argv):
    check = "--check" in argv
    stale = []
    for addon_dir in (arg for arg in argv if arg != "--check"):
        target = Path(addon_dir) / "README.rst"
        content = render(addon_dir)
        if check:
            if not target.exists() or target.read_text(encoding="utf-8") != content:
                stale.append(str(target))
        else:
            target.write_text(content, encoding="utf-8")
    if stale:
        print("stale, run scripts/gen_addon_readme.py:", *stale)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
