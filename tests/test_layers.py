"""Apps depend one way: geo <- providers <- contracts <- market <- tasks; accounts under all; nothing imports
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
    assert "Contracts: 2 kept, 0 broken." in result.stdout


def test_every_app_has_the_same_inner_layout():
    for app in ["accounts", "geo", "providers", "contracts", "market", "tasks"]:
        parts = ["models.py", "services.py", "selectors.py", "admin.py", "tasks.py"]
        for part in [*parts, "api/urls.py", "api/views.py", "api/serializers.py", "management/commands"]:
            assert (ROOT / app / part).exists(), f"{app}/{part} is missing"
