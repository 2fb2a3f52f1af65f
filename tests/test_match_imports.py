"""The modules of ``bots.cash`` import one another in one direction only: no cycle, not even
through an import inside a function (the readers and ``payments`` used to import each other)."""

import ast
from pathlib import Path

CASH = Path(__file__).resolve().parent.parent / "bots" / "cash"


def imports_of(path: Path) -> set[str]:
    """Every ``bots.cash.*`` module a file imports, at the top or inside a function."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("bots.cash"):
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names if alias.name.startswith("bots.cash")}
    return found


def test_no_import_cycle_inside_bots_cash():
    graph = {f"bots.cash.{path.stem}": imports_of(path) for path in CASH.glob("*.py") if path.stem != "__init__"}
    assert all("bots.cash" not in deps for deps in graph.values()), "a module imports the package that imports it"
    visiting, done = set(), set()

    def visit(module: str, trail: list[str]) -> None:
        if module in done:
            return
        assert module not in visiting, "import cycle: " + " -> ".join(trail + [module])
        visiting.add(module)
        for dependency in sorted(graph.get(module, ())):
            visit(dependency, trail + [module])
        visiting.discard(module)
        done.add(module)

    for module in sorted(graph):
        visit(module, [])
    assert graph["bots.cash.payments"] >= {"bots.cash.camt053", "bots.cash.bai2", "bots.cash.records"}
    assert "bots.cash.payments" not in graph["bots.cash.camt053"] | graph["bots.cash.bai2"]
