"""Apps depend one way: geo <- providers <- quality <- contracts <- market <- tasks; accounts under all; nothing imports
tasks. The rules are in pyproject.toml ([tool.importlinter])."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_app_dependencies_point_one_way():
    result = subprocess.run(
        [str(Path(sys.executable).parent / "lint-imports"), "--no-cache"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Contracts: 3 kept, 0 broken." in result.stdout


def test_every_app_has_the_same_inner_layout():
    for app in ["accounts", "geo", "providers", "quality", "contracts", "market", "tasks"]:
        # A module may grow into a package of the same name (services.py -> services/).
        for module in ["models", "services", "selectors", "admin", "tasks", "api/urls", "api/views", "api/serializers"]:
            as_module, as_package = ROOT / app / f"{module}.py", ROOT / app / module / "__init__.py"
            assert as_module.exists() or as_package.exists(), f"{app}/{module}.py is missing"
        assert (ROOT / app / "management" / "commands").is_dir(), f"{app}/management/commands is missing"
