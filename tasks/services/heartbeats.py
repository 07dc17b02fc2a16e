"""Workers and beat record that they are alive; /health/ answers 503 when none has lately."""

import logging
import socket
import threading

from django.db import close_old_connections, connection
from django.utils import timezone

from tasks.models import Heartbeat, ProcessKind

logger = logging.getLogger(__name__)


def heartbeat_record(*, kind: ProcessKind, name: str) -> None:
    Heartbeat.objects.update_or_create(kind=kind, name=name, defaults={"seen_at": timezone.now()})


def heartbeat_clear(*, kind: ProcessKind, name: str) -> None:
    """A process that stops cleanly says so at once; one that is killed goes stale instead."""
    Heartbeat.objects.filter(kind=kind, name=name).delete()


class HeartbeatThread(threading.Thread):
    """Records a heartbeat every `every` seconds in a thread of its own, so that a long task on a solo worker
    does not make the worker look dead. A failed write (database away) is logged and tried again next time."""

    def __init__(self, *, kind: ProcessKind, name: str, every: float):
        super().__init__(name=f"{kind}-heartbeat", daemon=True)
        self.kind, self.process_name, self.every = kind, name, every
        self.stopping = threading.Event()

    def run(self) -> None:
        while True:
            try:
                close_old_connections()
                heartbeat_record(kind=self.kind, name=self.process_name)
                if self.kind == ProcessKind.WORKER:
                    from tasks.services.runs import task_runs_heartbeat

                    task_runs_heartbeat()  # the runs of this worker are alive too
            except Exception as exc:  # a heartbeat must never stop the process it reports on
                logger.warning("%s heartbeat not recorded: %s", self.kind, type(exc).__name__)
            finally:
                connection.close()
            if self.stopping.wait(self.every):
                break
        try:
            heartbeat_clear(kind=self.kind, name=self.process_name)
        except Exception as exc:
            logger.warning("%s heartbeat not cleared: %s", self.kind, type(exc).__name__)
        finally:
            connection.close()

    def stop(self) -> None:
        self.stopping.set()
        self.join(timeout=max(self.every, 5))


def beat_name() -> str:
    return f"beat@{socket.gethostname()}"
