import pytest

from tests.tasks.delivery_factories import FakeDns


@pytest.fixture(autouse=True)
def dns(monkeypatch):
    """Webhook names are looked up in a fake DNS (receiver.example and hooks.example are public), never the
    machine's."""
    from tasks.services.delivery import addresses

    fake = FakeDns()
    monkeypatch.setattr(addresses, "RESOLVER", fake)
    return fake
