"""What `pip install .` ships: every package, the samples and the icons."""

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_every_package_is_listed_in_pyproject():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    listed = set(config["packages"])
    found = {".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "mlp_desktop").rglob("__init__.py")}
    assert found - listed == set(), "add these packages to pyproject.toml"
    mapped = config["package-dir"]
    assert mapped["mlp_desktop.sample_data"] == "sample_data" and mapped["mlp_desktop.resources"] == "resources"


def test_pyside6_excludes_the_release_that_crashes_on_python_311():
    dependencies = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    pyside = [d for d in dependencies if d.lower().startswith("pyside6")]
    assert pyside and "!=6.12.0" in pyside[0]


def test_samples_and_icons_are_found_as_package_resources():
    from mlp_desktop.core.samples import SAMPLES, sample_path

    for name in SAMPLES:
        assert sample_path(name, ".csv").is_file() and sample_path(name, ".xlsx").is_file()
    from importlib import resources

    assert resources.files("mlp_desktop.resources").joinpath("mlp-desktop-256.png").is_file()


def test_launchers_and_desktop_files():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["scripts"]["mlp-desktop"] == "mlp_desktop.cli:main"
    assert project["gui-scripts"]["mlp-desktop-gui"] == "mlp_desktop.cli:main"
    desktop = (ROOT / "packaging" / "mlp-desktop.desktop").read_text()
    assert "Exec=mlp-desktop-gui" in desktop and "Icon=mlp-desktop" in desktop
    import xml.etree.ElementTree as ET

    metainfo = ET.parse(ROOT / "packaging" / "io.github.mlpdesktop.MLPDesktop.metainfo.xml").getroot()
    assert metainfo.find("id").text == "io.github.mlpdesktop.MLPDesktop"
    compile((ROOT / "packaging" / "mlp-desktop.spec").read_text(), "mlp-desktop.spec", "exec")
