"""The cache's Redis backend: Django's, keeping one redis-py client for each connection pool.

Django's RedisCacheClient builds a new `redis.Redis` for every cache operation (over the same connection pool), and
redis-py fills some 170 response callbacks into each new client: about 0.1 ms of CPU an operation, paid by every API
request for its token (accounts.access_cache). A client over a pool is safe to share between threads (its
connections come from the pool, which also starts again after a fork), so one is kept per pool."""

from django.core.cache.backends import redis


class RedisCacheClient(redis.RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)  # kept in self._pools for the client's life: its id stays its own
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class RedisCache(redis.RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient
