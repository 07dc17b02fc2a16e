"""The Redis broker transport the service uses: kombu's, with one fault mended.

When the connection to Redis drops while the worker holds unacknowledged messages (with `acks_late`, a task
waiting for its countdown or ETA), celery 5.7.0 first collects the broken connection, which detaches the
transport from it (`transport.client = None`), and then closes it. Closing the channel tries to put the
unacknowledged messages back through a new Redis client built from `transport.client`, and raises
`AttributeError: 'NoneType' object has no attribute 'hostname'`. That is not a connection error, so the worker
stops with "Unrecoverable error" instead of reconnecting. kombu and celery 5.7.0 are the newest releases; none
has the fault mended.

Here a channel whose transport was detached answers with a connection error, which kombu and celery already
expect at that moment: the worker goes on to reconnect. The messages stay in Redis's unacknowledged set, and
are delivered again after the visibility timeout (or sooner by the service's own stalled-run sweeps).
"""

from kombu.transport import redis as kombu_redis
from redis.exceptions import ConnectionError as RedisConnectionError


class Channel(kombu_redis.Channel):
    def _connparams(self, asynchronous=False):
        if self.connection.client is None:
            raise RedisConnectionError("the broker connection was closed")
        return super()._connparams(asynchronous=asynchronous)


class Transport(kombu_redis.Transport):
    Channel = Channel
