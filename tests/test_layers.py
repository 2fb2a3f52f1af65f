"""The layers point down, and no module imports itself through others (grimp reads every
import statement, also those inside functions).

- ``inbox_parsers`` (documents to plain records) imports nothing of ``bots``;
- ``sandbox`` (the systems the bots drive) imports nothing of ``bots``;
- the runtime (``bots.runtime``: queue, store, runs, settings, logs, schedules, browser,
  screens, errors, clock, resources, outgoing mail, the web layer, the fleet) imports only
  the runtime: no bot, no command, no demo;
- the bots (every other part of ``bots`` but the command line ``bots.cli`` and the demo)
  import no command and no demo;
- no import cycles, anywhere in the three packages.
"""

import grimp
import pytest

RUNTIME = ("bots", "bots.runtime")


@pytest.fixture(scope="module")
def graph():
    return grimp.build_graph("bots", "inbox_parsers", "sandbox", include_external_packages=False)


@pytest.mark.parametrize("pure", ["inbox_parsers", "sandbox"])
def test_pure_packages_import_nothing_of_bots(graph, pure):
    chains = graph.find_shortest_chains(importer=pure, imported="bots", as_packages=True)
    assert not chains, f"{pure} imports bots: " + "; ".join(" -> ".join(chain) for chain in sorted(chains))


def test_the_runtime_imports_no_bot(graph):
    wrong = _runtime_breaches(graph)
    assert wrong == [], "the runtime imports bots, commands or the demo:\n" + "\n".join(wrong)


def test_the_bots_import_no_command_and_no_demo(graph):
    above = ("bots.cli", "bots.demo")
    wrong = sorted(f"{importer} -> {imported}" for importer in graph.modules
                   if importer.startswith("bots.") and _area(importer) not in (*RUNTIME, *above)
                   for imported in graph.find_modules_directly_imported_by(importer) if _area(imported) in above)
    assert wrong == [], "a bot imports the command line or the demo:\n" + "\n".join(wrong)


def test_no_import_cycles(graph):
    cycles = _cycles({module: graph.find_modules_directly_imported_by(module) for module in graph.modules})
    assert cycles == [], "import cycles:\n" + "\n".join(" <-> ".join(cycle) for cycle in cycles)


def test_the_check_finds_a_cycle_and_a_layer_breach():
    # The checks above must be able to fail: an invented cycle and breach are found.
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    graph = grimp.ImportGraph()
    for module in ("bots.runtime.workqueue", "bots.runtime.fleet.worker", "bots.erp.order_entry", "bots.runtime.errors"):
        graph.add_module(module)
    graph.add_import(importer="bots.runtime.fleet.worker", imported="bots.erp.order_entry")
    graph.add_import(importer="bots.erp.order_entry", imported="bots.runtime.workqueue")  # a bot on the runtime: fine
    graph.add_import(importer="bots.runtime.workqueue", imported="bots.runtime.errors")
    assert _runtime_breaches(graph) == ["bots.runtime.fleet.worker -> bots.erp.order_entry"]


def _runtime_breaches(graph) -> list[str]:
    """``importer -> imported`` for each import from the runtime into the rest of bots."""
    return sorted(
        f"{importer} -> {imported}"
        for importer in graph.modules if _area(importer) in RUNTIME
        for imported in graph.find_modules_directly_imported_by(importer)
        if imported.startswith("bots.") and _area(imported) not in RUNTIME
    )


def _area(module: str) -> str:
    """``bots.runtime.fleet.worker`` -> ``bots.runtime``: the top-level part of bots a module belongs to."""
    return ".".join(module.split(".")[:2])


def _cycles(edges: dict[str, set]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan), each sorted."""
    index, low, stack, on_stack, found, counter = {}, {}, [], set(), [], [0]

    def visit(node):
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for target in sorted(edges.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    import sys

    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))
    for node in sorted(edges):
        if node not in index:
            visit(node)
    return sorted(found)
