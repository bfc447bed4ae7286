"""The addons as Odoo users install them: OCA-style wheels, no addons_path entry.

`./dev wheels` builds `odoo-addon-settlement_mgmt`, `odoo-addon-settlement_mgmt_sale`
and `odoo-addon-settlement_mgmt_sms`
with whool.  They are installed into a throw-away virtualenv beside an Odoo 18
installed as a package (`pip install -e` of the Odoo source, without its
dependencies: the project virtualenv's site-packages are made visible through a
.pth file, so nothing is downloaded), and Odoo, with its default addons path
(core only), installs both addons in a fresh database from there.  The package
must hold every file git tracks in the addon (data, demo, static assets, i18n,
migrations, lib/, report templates), and the wheels must require every
third-party module the addon imports.
"""

import ast
import configparser
import importlib.metadata
import json
import os
import re
import subprocess
import sys
import time
import zipfile
from email.parser import HeaderParser
from pathlib import Path

import pytest
from conftest import REPO
from odoo_databases import drop

pytestmark = pytest.mark.slow

ADDONS = ("settlement_mgmt", "settlement_mgmt_sale", "settlement_mgmt_sms")
ODOO_SRC = Path(__import__("odoo").__file__).resolve().parent.parent


def _run(command, timeout=900, **kwargs):
    started = time.monotonic()
    result = subprocess.run(
        [str(part) for part in command],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        **kwargs,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, f"{command}\n{output[-4000:]}"
    print(
        f"{Path(str(command[0])).name} {command[1]}: {time.monotonic() - started:.0f} s"
    )
    return output


def _manifest(addon):
    path = REPO / "addons" / addon / "__manifest__.py"
    return ast.literal_eval(path.read_text(encoding="utf-8"))


def _normalize(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def _requirement_name(line):
    match = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", line)
    return _normalize(match.group(1)) if match else None


def _tracked_files(addon):
    listing = subprocess.run(
        ["git", "ls-files", "-z"],
        cwd=REPO / "addons" / addon,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return sorted(path for path in listing.split("\0") if path)


@pytest.fixture(scope="module")
def wheels(tmp_path_factory):
    dist = tmp_path_factory.mktemp("dist")
    _run(
        [REPO / "dev", "wheels"],
        env={**os.environ, "SETTLEMENT_DIST": str(dist)},
    )
    built = {}
    for wheel in dist.glob("*.whl"):
        with zipfile.ZipFile(wheel) as archive:
            name = next(n for n in archive.namelist() if n.endswith("/METADATA"))
            metadata = HeaderParser().parsestr(archive.read(name).decode())
        built[metadata["Name"]] = (wheel, metadata)
    assert sorted(built) == [f"odoo-addon-{addon}" for addon in ADDONS]
    return built


@pytest.fixture(scope="module")
def wheel_venv(wheels, tmp_path_factory):
    """A virtualenv with Odoo installed as a package and the two wheels."""
    venv = tmp_path_factory.mktemp("venv")
    _run([sys._base_executable, "-m", "venv", "--without-pip", venv])
    python = venv / "bin" / "python"
    site_packages = Path(
        subprocess.run(
            [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    )
    project_site = Path(importlib.metadata.distribution("pytest").locate_file(""))
    (site_packages / "settlement_project_venv.pth").write_text(
        f"import site; site.addsitedir({str(project_site)!r})\n"
    )
    pip = [sys.executable, "-m", "pip", "--python", python, "install", "--quiet"]
    # PEP 660 "compat" editable install: a .pth naming the source, no egg-info
    # written into it, Odoo's dependencies taken from the project virtualenv.
    _run(
        [
            *pip,
            "--no-deps",
            "--no-index",
            "--no-build-isolation",
            "--use-pep517",
            "--config-settings",
            "editable_mode=compat",
            "--editable",
            ODOO_SRC,
        ]
    )
    _run([*pip, "--no-deps", "--no-index", *(wheel for wheel, _ in wheels.values())])
    return venv, python, site_packages


def test_wheels_are_versioned_and_depend_as_the_manifests_say(wheels):
    for addon in ADDONS:
        manifest = _manifest(addon)
        wheel, metadata = wheels[f"odoo-addon-{addon}"]
        # whool appends the commits since the manifest's version changed
        assert re.fullmatch(
            re.escape(manifest["version"]) + r"(\.\d+)?", metadata["Version"]
        ), (addon, metadata["Version"])
        requires = {
            _requirement_name(line): line for line in metadata.get_all("Requires-Dist")
        }
        assert requires["odoo"].replace(" ", "") == "odoo==18.0.*", requires
        for module in manifest.get("external_dependencies", {}).get("python", []):
            assert _normalize(module) in requires, (addon, module, requires)
        for depend in manifest["depends"]:
            if depend in ADDONS:
                assert _normalize(f"odoo-addon-{depend}") in requires, (addon, depend)
        assert wheel.name.startswith(f"odoo_addon_{addon}-{metadata['Version']}-")


def _third_party_imports(addon):
    """Top-level modules the addon imports at run time (tests excluded)."""
    addon_dir = REPO / "addons" / addon
    modules = {}
    for path in addon_dir.rglob("*.py"):
        if "tests" in path.relative_to(addon_dir).parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                if top != "odoo" and top not in sys.stdlib_module_names:
                    modules.setdefault(top, path.relative_to(REPO))
    return modules


def test_wheels_require_every_third_party_module_the_addon_imports(wheels):
    odoo_requirements = {
        _requirement_name(line)
        for line in (ODOO_SRC / "requirements.txt").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    }
    distributions = importlib.metadata.packages_distributions()
    for addon in ADDONS:
        _wheel, metadata = wheels[f"odoo-addon-{addon}"]
        declared = {_requirement_name(r) for r in metadata.get_all("Requires-Dist")}
        for module, where in _third_party_imports(addon).items():
            names = {_normalize(module)} | {
                _normalize(dist) for dist in distributions.get(module, [])
            }
            assert names & (declared | odoo_requirements), (
                f"{where} imports {module}: add it to external_dependencies "
                f"of {addon}/__manifest__.py (wheel requires {sorted(declared)})"
            )


def test_installed_package_holds_every_file_of_the_addon(wheel_venv):
    _venv, _python, site_packages = wheel_venv
    for addon in ADDONS:
        installed = site_packages / "odoo" / "addons" / addon
        # whool leaves its own configuration out of the wheel
        tracked = [path for path in _tracked_files(addon) if path != "pyproject.toml"]
        source = REPO / "addons" / addon
        missing = [path for path in tracked if not (installed / path).is_file()]
        assert not missing, (addon, missing)
        differ = [
            path
            for path in tracked
            if (installed / path).read_bytes() != (source / path).read_bytes()
        ]
        assert not differ, (addon, differ)
        manifest = _manifest(addon)
        for data_file in manifest.get("data", []) + manifest.get("demo", []):
            assert (installed / data_file).is_file(), (addon, data_file)
        for bundle, patterns in manifest.get("assets", {}).items():
            for pattern in patterns:
                relative = pattern.split("/", 1)[1]
                assert list(installed.glob(relative)), (addon, bundle, pattern)
        description = installed / "static" / "description"
        assert (description / "icon.png").is_file(), addon
        assert (description / "index.html").is_file(), addon
        for language in ("fa", "ar", "he"):
            assert (installed / "i18n" / f"{language}.po").is_file(), (addon, language)
        assert (installed / "i18n" / f"{addon}.pot").is_file(), addon
        assert (installed / "README.rst").is_file(), addon
        assert (installed / "readme" / "HISTORY.md").is_file(), addon
    main = site_packages / "odoo" / "addons" / "settlement_mgmt"
    versions = sorted(
        p.name for p in (REPO / "addons/settlement_mgmt/migrations").iterdir()
    )
    for version in versions:
        assert list((main / "migrations" / version).glob("*-migration.py")), version
    assert list((main / "static").rglob("*.js")), "JavaScript tours"
    assert list((main / "static" / "src").rglob("*.xml")), "OWL templates"
    assert len(list((main / "lib").glob("*.py"))) > 5, "lib/"
    reports = [p.name for p in (main / "report").glob("*.xml")]
    assert "settlement_statement_reports.xml" in reports, reports
    assert len(list((main / "static" / "description").glob("*.png"))) >= 4, (
        "icon and screenshots"
    )


CHECK_INSTALLED = """
import json
from odoo.modules.module import get_module_path
from odoo.tools.misc import file_open
modules = env['ir.module.module'].search([('name', 'in', %r)])
report = {}
for module in modules:
    with file_open(module.icon.lstrip('/'), 'rb') as icon:
        icon_bytes = len(icon.read())
    report[module.name] = {
        'state': module.state,
        'version': module.latest_version,
        'path': get_module_path(module.name),
        'icon_bytes': icon_bytes,
        'description': module.description_html or '',
    }
print('WHEELS' + json.dumps(report))
"""


def _conf_for(tmp_path):
    """Database settings of the test configuration, no addons_path at all."""
    source = os.environ.get("SETTLEMENT_ODOO_CONF")
    if not source:
        pytest.fail("SETTLEMENT_ODOO_CONF is not set: run the tests with ./dev test")
    parser = configparser.ConfigParser()
    parser.read(source)
    options = {
        key: parser["options"][key]
        for key in ("db_host", "db_port", "db_user", "db_password", "admin_passwd")
        if key in parser["options"]
    }
    options.update(data_dir=str(tmp_path / "data"), list_db="False")
    conf = tmp_path / "wheels.conf"
    conf.write_text(
        "[options]\n" + "".join(f"{key} = {value}\n" for key, value in options.items())
    )
    return conf


def test_addons_install_from_the_wheels_in_a_fresh_database(wheel_venv, tmp_path):
    venv, _python, site_packages = wheel_venv
    conf = _conf_for(tmp_path)
    database = os.environ.get(
        "SETTLEMENT_WHEELS_DB", f"settlement_wheels_{os.getpid()}"
    )
    odoo = [venv / "bin" / "odoo", "-c", conf, "-d", database]
    drop(database)
    try:
        started = time.monotonic()
        log = _run(
            [
                *odoo,
                "-i",
                ",".join(ADDONS),
                "--without-demo=all",
                "--stop-after-init",
                "--log-level=warn",
                "--no-http",
            ],
            timeout=1500,
        )
        errors = [
            line for line in log.splitlines() if re.search(r" (ERROR|CRITICAL) ", line)
        ]
        assert not errors, "\n".join(errors[:20])
        print(f"install from the wheels: {time.monotonic() - started:.0f} s")
        shell = subprocess.run(
            [
                venv / "bin" / "odoo",
                "shell",
                "-c",
                conf,
                "-d",
                database,
                "--no-http",
                "--log-level=warn",
            ],
            input=CHECK_INSTALLED % (list(ADDONS),),
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert shell.returncode == 0, shell.stderr[-4000:]
        payload = [
            line for line in shell.stdout.splitlines() if line.startswith("WHEELS")
        ]
        assert payload, shell.stdout[-2000:] + shell.stderr[-2000:]
        report = json.loads(payload[-1][len("WHEELS") :])
    finally:
        drop(database)
    assert sorted(report) == sorted(ADDONS)
    for addon in ADDONS:
        module = report[addon]
        manifest = _manifest(addon)
        assert module["state"] == "installed", (addon, module["state"])
        assert module["version"] == manifest["version"], (addon, module["version"])
        # loaded from the wheel, not from this repository
        assert (
            Path(module["path"]).resolve()
            == (site_packages / "odoo" / "addons" / addon).resolve()
        ), module["path"]
        assert module["icon_bytes"] > 1000, addon
        assert manifest["name"] in module["description"], addon
    assert (
        "/settlement_mgmt/static/description/"
        in report["settlement_mgmt"]["description"]
    )
