from tasks.models import Heartbeat, ProcessKind


def latest_heartbeats() -> dict[str, Heartbeat | None]:
    """The newest heartbeat of each kind of process (None for a kind never seen)."""
    latest: dict[str, Heartbeat | None] = dict.fromkeys(ProcessKind.values)
    for beat in Heartbeat.objects.order_by("seen_at"):
        latest[beat.kind] = beat
    return latest
