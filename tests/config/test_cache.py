"""core.cache.RedisCache: Django's Redis cache, with one client kept for each connection pool."""

from django.core.cache import caches

from core.cache import RedisCache


def test_the_cache_keeps_one_redis_client_and_reads_what_it_wrote():
    cache = caches["default"]
    if not isinstance(cache, RedisCache):  # the suite runs with REDIS_URL set (scripts/ensure_services.py)
        raise AssertionError(f"the default cache is {type(cache).__name__}, not core.cache.RedisCache")
    cache.set("test:core-cache", {"n": 1}, timeout=30)
    assert cache.get("test:core-cache") == {"n": 1}
    assert cache.add("test:core-cache", {"n": 2}, timeout=30) is False
    cache.delete("test:core-cache")
    assert cache.get("test:core-cache") is None
    client = cache._cache.get_client(write=True)
    assert cache._cache.get_client(write=True) is client
    assert cache._cache.get_client(write=False) is cache._cache.get_client(write=False)
