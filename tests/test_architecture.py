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
    code = ("import sys, engine.cli.main; engine.cli.main.build_parser(); "
            "bad=[m for m in sys.modules if m.split('.')[0] in ('PySide6','pyqtgraph','desktop')]; "
            "print(bad); sys.exit(1 if bad else 0)")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 0, r.stdout + r.stderr


def test_cli_contract_names():
    from engine.cli.main import build_parser

    sub = next(a for a in build_parser()._actions if a.dest == "command")
    for name in ("init", "import", "pairs", "set", "undo", "export", "demo"):
        assert name in sub.choices, name


# --- the shape of the house: one concern per room ------------------------------------------------
_SQL = ("SELECT ", "INSERT ", "UPDATE ", "DELETE FROM", "CREATE TABLE", "ALTER TABLE")


def _modules(package: str) -> dict[str, Path]:
    out = {}
    for path in (ROOT / package).rglob("*.py"):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


def _imports(path: Path, module: str, known: dict[str, Path]) -> set[str]:
    """The project modules `module` imports (anywhere in the file, local imports included)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                up = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join(up + ([base] if base else []))
            targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in known else base for a in node.names]
        else:
            continue
        for t in targets:
            while t and t not in known:
                t = t.rpartition(".")[0]
            if t and t != module:
                found.add(t)
    return found


def test_no_module_imports_one_that_imports_it_back():
    known = {**_modules("engine"), **_modules("desktop")}
    graph = {m: _imports(p, m, known) for m, p in known.items()}
    # a package's __init__ re-exporting its own modules is not a circle
    cycles = []
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()

    def strong(v: str) -> None:  # Tarjan's strongly connected components
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in graph[v]:
            if w not in index:
                strong(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1 and not all(c == comp[0] or c.startswith(min(comp, key=len) + ".")
                                         for c in comp if c != min(comp, key=len)):
                cycles.append(sorted(comp))

    import sys as _sys

    _sys.setrecursionlimit(max(_sys.getrecursionlimit(), 10_000))
    for m in sorted(graph):
        if m not in index:
            strong(m)
    assert cycles == []


def test_desktop_writes_no_sql():
    """SQL belongs to the engine: the desktop calls engine functions, it never queries the store."""
    offenders = []
    for path in (ROOT / "desktop").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                text = " ".join(node.value.split())  # SQL keywords are written in capitals here
                if any(text.startswith(k) for k in _SQL):
                    offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}: {node.value[:50]!r}")
            elif isinstance(node, ast.Attribute) and node.attr in ("execute", "query", "scalar", "con", "sql"):
                base = node.value
                name = base.id if isinstance(base, ast.Name) else getattr(base, "attr", "")
                if name in ("ws", "workspace", "con"):
                    offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}: {name}.{node.attr}")
    assert offenders == []
