"""The embedded default (`make run` without DATABASE_URL or REDIS_URL): SQLite and a file-system broker under
var/, web, worker and beat under one Procfile runner. It starts, answers, runs a task, and stops on Ctrl-C."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from accounts.demo import DEMO_PASSWORD

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(url: str, token: str = "") -> tuple[int, bytes]:
    headers = {"Authorization": f"Token {token}"} if token else {}
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


@pytest.mark.slow
def test_embedded_stack_starts_answers_and_stops_cleanly(tmp_path):
    bin_dir = Path(sys.executable).parent
    port = free_port()
    env = {key: value for key, value in os.environ.items() if key not in {"DATABASE_URL", "REDIS_URL"}}
    env.update(VAR_DIR=str(tmp_path / "var"), WEB_PORT=str(port), PATH=f"{bin_dir}:{env['PATH']}")
    manage = [sys.executable, "manage.py"]
    for command in (["migrate", "--noinput"], ["demo_load"], ["demo_load"], ["schedules_sync"]):
        subprocess.run([*manage, *command], cwd=ROOT, env=env, check=True, capture_output=True, timeout=300)
    assert (tmp_path / "var" / "care_market.sqlite3").exists()

    stack = subprocess.Popen(
        [sys.executable, "scripts/procfile_run.py", "-f", "Procfile", "start"],  # as `make run` starts it
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        status = None
        while time.monotonic() < deadline:
            try:
                status, body = get(f"{base}/health/")
                if status == 200:
                    break
            except OSError:
                pass
            time.sleep(0.5)
        assert status == 200, "the web server never answered /health/"
        # 200 only once the worker and beat have recorded their heartbeats as well.
        assert json.loads(body)["checks"] == {
            "database": "ok",
            "cache": "ok",
            "broker": "ok",
            "worker": "ok",
            "beat": "ok",
        }
        assert get(f"{base}/api/docs/")[0] == 200
        assert get(f"{base}/api/v1/accounts/me/")[0] in (401, 403)

        # A broker signs in with a token and finds demo block beds near Ely on the embedded SQLite database.
        sign_in = urllib.request.Request(
            f"{base}/api/v1/accounts/token/",
            data=json.dumps({"username": "broker", "password": DEMO_PASSWORD}).encode(),
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(sign_in, timeout=30) as response:
            token = json.loads(response.read())["token"]
        status, body = get(f"{base}/api/v1/beds/available/?care_type=nursing&postcode=CB6%201AA&radius_km=50", token)
        assert status == 200, body[:500]
        assert json.loads(body)["block_beds"], "the demo has no free nursing beds near CB6 1AA"
        status, body = get(f"{base}/api/v1/voids/?group_by=district&from=2021-02-01&to=2021-02-28", token)
        assert status == 200, body[:500]
        assert json.loads(body)["count"] >= 1

        # Beat sends the heartbeat every minute; its first run is due at start-up and the worker runs it.
        script = (
            "import django, time; django.setup();"
            "from django_celery_results.models import TaskResult as T;"
            "deadline = time.time() + 90;"
            'exec(\'while time.time() < deadline and not T.objects.filter(task_name="tasks.tasks.heartbeat",'
            ' status="SUCCESS").exists(): time.sleep(1)\');'
            "print(T.objects.filter(task_name='tasks.tasks.heartbeat', status='SUCCESS').exists())"
        )
        ran = subprocess.run(
            [sys.executable, "-c", script],
            cwd=ROOT,
            env={**env, "DJANGO_SETTINGS_MODULE": "config.settings"},
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert ran.stdout.strip() == "True", ran.stderr
    finally:
        stack.send_signal(signal.SIGINT)
        try:
            output, _ = stack.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(stack.pid, signal.SIGKILL)
            output, _ = stack.communicate()
            pytest.fail("the stack did not stop within 30 s of Ctrl-C:\n" + output.decode(errors="replace")[-3000:])
    log = output.decode(errors="replace")
    assert "web.1" in log and "worker.1" in log and "beat.1" in log
    # The addresses and sign-ins again, below the processes' start-up logs, once /health/ says all are up.
    assert "Care market is up: web, worker and beat are running." in log
    assert log.index("Care market is up") > log.index("worker.1")
    # Ctrl-C stops every process with SIGTERM in time: none is killed.
    assert "SIGKILL" not in log, log[-3000:]
    assert stack.returncode in (0, 130, -signal.SIGINT), log[-3000:]
