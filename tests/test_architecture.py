"""The house rules: engine is GUI-free; the CLI has the names other tools depend on."""

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FORBIDDEN = ("PySide6", "PyQt5", "PyQt6", "pyqtgraph", "desktop", "shiboken6")


def test_engine_never_imports_qt_or_desktop():
    offenders = []
    for path in (ROOT / "engine").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            offenders += [f"{path.relative_to(ROOT)}: {n}" for n in names if n.split(".")[0] in FORBIDDEN]
    assert offenders == []


def test_engine_cli_loads_without_qt():
    code = ("import sys, engine.cli; engine.cli.build_parser(); "
            "bad=[m for m in sys.modules if m.split('.')[0] in ('PySide6','pyqtgraph','desktop')]; "
            "print(bad); sys.exit(1 if bad else 0)")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 0, r.stdout + r.stderr


def test_cli_contract_names():
    from engine.cli import build_parser

    sub = next(a for a in build_parser()._actions if a.dest == "command")
    for name in ("init", "import", "pairs", "set", "undo", "export", "demo"):
        assert name in sub.choices, name
