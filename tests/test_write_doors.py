"""One door per write: outside an app's services (services.py or a services/ package), nothing saves, updates,
deletes or bulk-creates rows. The test reads the source (as Zulip's linters do) so that a write made in a view, a
task, a demo loader or an admin fails here before it drifts from the service's checks and history.

What counts as a write:
- `.save()` and `.delete()` on anything;
- `.create()`, `.bulk_create()`, `.bulk_update()`, `.get_or_create()`, `.update_or_create()`, `.update()` and
  `.delete()` on a manager (`Model.objects`) or a queryset: a chain from a manager (`.filter(...)`, `.exclude(...)`,
  `.all()`, `.select_for_update()`, ...), a name assigned one in the same function, or a selector's answer.

Migrations and the tests are not scanned. ALLOWED lists the few writes that stay outside the services, each with
why; an entry no longer matched fails too, so the list shrinks with the code.
"""

import ast
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
APPS = ["accounts", "geo", "providers", "quality", "contracts", "market", "tasks", "config", "core"]

MANAGERS = {"objects", "_default_manager", "_base_manager"}
QUERYSET_STEPS = {
    "all",
    "filter",
    "exclude",
    "select_for_update",
    "select_related",
    "prefetch_related",
    "order_by",
    "only",
    "defer",
    "distinct",
    "annotate",
    "alias",
    "none",
    "using",
}
ALWAYS_WRITES = {"save", "delete"}
MANAGER_WRITES = {"create", "bulk_create", "bulk_update", "get_or_create", "update_or_create", "update", "delete"}
HISTORY_WRITES = {"bulk_create_with_history", "bulk_update_with_history"}  # django-simple-history's bulk writes

DEMO_BULK = "the demo's thousands of stays in a few statements; held to placement_create's rows by a test"

# (path, the call as written up to its arguments) -> why it may stay where it is.
ALLOWED = {
    ("core/exports.py", "workbook.save"): "openpyxl's workbook, written to the response; not a model",
    ("geo/caching.py", "cache.delete"): "the cache, not the database",
    ("accounts/lockout.py", "by_name_and_address.delete"): "django-axes' own failed sign-in records, cleared by the "
    "lockout handler axes calls on a successful sign-in; not one of the service's models",
    # tests/contracts/test_demo.py::test_the_demo_writes_the_rows_placement_create_would
    ("contracts/demo.py", "PersonReference.objects.bulk_create"): DEMO_BULK,
    ("contracts/demo.py", "bulk_create_with_history"): DEMO_BULK,
}


@dataclass(frozen=True)
class Write:
    path: str
    line: int
    call: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.call}(...)"


def _is_services(path: Path) -> bool:
    return path.name == "services.py" or "services" in path.parts[:-1]


def _scanned_files():
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            relative = path.relative_to(ROOT)
            if "migrations" in relative.parts or _is_services(relative):
                continue
            yield relative


class _WriteFinder(ast.NodeVisitor):
    def __init__(self, path: str):
        self.path = path
        self.writes: list[Write] = []
        self.selectors: set[str] = set()  # names imported from a selectors module
        self.querysets: list[set[str]] = [set()]  # per function: names assigned a queryset

    # --- what is a queryset -------------------------------------------------------------------------------

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if node.module and "selectors" in node.module.split("."):
            self.selectors.update(alias.asname or alias.name for alias in node.names)
        elif node.module and any(alias.name == "selectors" for alias in node.names):
            self.selectors.update(alias.asname or alias.name for alias in node.names if alias.name == "selectors")

    def is_queryset(self, node: ast.expr) -> bool:
        if isinstance(node, ast.Attribute) and node.attr in MANAGERS:
            return True
        if isinstance(node, ast.Name):
            return node.id in self.querysets[-1]
        if isinstance(node, ast.Subscript):  # a slice of a queryset is one
            return self.is_queryset(node.value)
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Attribute) and func.attr in QUERYSET_STEPS:
                return self.is_queryset(func.value) or func.attr in {"filter", "exclude", "select_for_update"}
            if isinstance(func, ast.Name) and func.id in self.selectors:
                return True
            if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
                return func.value.id in self.selectors  # selectors.voids_on(...)
        return False

    def _function(self, node) -> None:
        self.querysets.append(set())
        self.generic_visit(node)
        self.querysets.pop()

    visit_FunctionDef = visit_AsyncFunctionDef = visit_Lambda = _function

    def visit_Assign(self, node: ast.Assign) -> None:
        self.generic_visit(node)
        if self.is_queryset(node.value):
            self.querysets[-1].update(target.id for target in node.targets if isinstance(target, ast.Name))

    # --- what is a write ----------------------------------------------------------------------------------

    def visit_Call(self, node: ast.Call) -> None:
        self.generic_visit(node)
        func = node.func
        if isinstance(func, ast.Name) and func.id in HISTORY_WRITES:
            self.writes.append(Write(self.path, node.lineno, func.id))
        if not isinstance(func, ast.Attribute):
            return
        if func.attr in ALWAYS_WRITES or (func.attr in MANAGER_WRITES and self.is_queryset(func.value)):
            self.writes.append(Write(self.path, node.lineno, ast.unparse(func)))


def writes_in(source: str, path: str = "<source>") -> list[Write]:
    finder = _WriteFinder(path)
    finder.visit(ast.parse(source))
    return finder.writes


def writes_outside_services() -> list[Write]:
    found = []
    for path in _scanned_files():
        found += writes_in((ROOT / path).read_text(), path.as_posix())
    return found


# --- the scanner itself -----------------------------------------------------------------------------------


def test_a_save_or_delete_on_anything_is_a_write():
    source = "def f(placement, hold):\n    placement.save(update_fields=['end_date'])\n    hold.delete()\n"
    assert [str(write) for write in writes_in(source)] == [
        "<source>:2: placement.save(...)",
        "<source>:3: hold.delete(...)",
    ]


def test_a_write_on_a_manager_or_a_queryset_chain_is_a_write():
    source = """
from contracts.selectors import holds_current

def f(reference):
    Token.objects.get_or_create(user=reference)
    Placement.objects.bulk_create([])
    Delivery.objects.filter(read_at=None).exclude(id=1).update(read_at=1)
    Hold.objects.select_for_update().all()[:5].delete()
    Subscription.objects.all().update_or_create(id=1)
    holds_current(on=1).update(status='released')
    bulk_create_with_history([], Placement)
"""
    assert [write.call for write in writes_in(source)] == [
        "Token.objects.get_or_create",
        "Placement.objects.bulk_create",
        "Delivery.objects.filter(read_at=None).exclude(id=1).update",
        "Hold.objects.select_for_update().all()[:5].delete",
        "Subscription.objects.all().update_or_create",
        "holds_current(on=1).update",
        "bulk_create_with_history",
    ]


def test_a_queryset_kept_in_a_name_is_followed_within_its_function():
    source = """
def f(user):
    unread = Delivery.objects.filter(user=user, read_at=None)
    unread.update(read_at=1)

def g(data):
    unread = {}
    unread.update(data)
"""
    assert [str(write) for write in writes_in(source)] == ["<source>:4: unread.update(...)"]


def test_reads_and_other_objects_update_and_create_are_not_writes():
    source = """
def f(data, request):
    Placement.objects.filter(kind='block').count()
    Placement.objects.get(pk=1)
    data.update(request.GET)
    context = dict.fromkeys(data)
    context.update(a=1)
    serializer.create(data)
"""
    assert writes_in(source) == []


def test_the_scan_reads_every_app_but_not_services_or_migrations():
    scanned = {path.as_posix() for path in _scanned_files()}
    assert "contracts/demo.py" in scanned
    assert "accounts/api/views.py" in scanned
    assert "core/admin.py" in scanned
    assert "tasks/management/commands/check_services.py" in scanned  # a name ending in services is not one
    assert not any("/services/" in path or path.endswith("/services.py") for path in scanned)
    assert not any("/migrations/" in path for path in scanned)


# --- the code ---------------------------------------------------------------------------------------------


def test_nothing_outside_the_services_writes_rows():
    writes = writes_outside_services()
    unexplained = [write for write in writes if (write.path, write.call) not in ALLOWED]
    assert not unexplained, "Write through the app's services (or add to ALLOWED with why):\n" + "\n".join(
        str(write) for write in unexplained
    )


def test_every_allowed_write_is_still_there():
    found = Counter((write.path, write.call) for write in writes_outside_services())
    stale = [entry for entry in ALLOWED if not found[entry]]
    assert not stale, f"No longer in the code; take them off ALLOWED: {stale}"
