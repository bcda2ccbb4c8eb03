"""A Redis cache that degrades instead of failing: pages never wait on, or break with, Redis.

Redis holds nothing the app cannot lose (rate-limit counts), so when it does
not answer, a request goes on with a fallback rather than a 500: rate limits
keep counting in this process's memory. Short socket timeouts
make a dead Redis cost a fraction of a second, and only once every
RETRY_SECONDS per process: in between, calls go straight to the fallback.
docs/deployment.md "Several app servers" gives the reasons for this choice.
"""

import logging
import threading
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT, BaseCache
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

OUTAGE = (RedisConnectionError, RedisTimeoutError)

# After a failed call, how long a process uses the fallback before trying Redis again.
RETRY_SECONDS = 5.0
# Redis answers on a local network in well under a millisecond.
TIMEOUTS = {"socket_connect_timeout": 0.25, "socket_timeout": 0.5}

# Shared by the threads of a process (Django builds one cache object per thread).
_down_until = {}
_lock = threading.Lock()


class FallbackRedisCache(BaseCache):
    def __init__(self, server, params):
        super().__init__(params)
        self.server = server
        options = {**TIMEOUTS, **params.get("OPTIONS", {})}
        self.redis = RedisCache(server, {**params, "OPTIONS": options})
        self.fallback = LocMemCache(f"fallback:{params.get('KEY_PREFIX', '')}", params)

    @property
    def degraded(self):
        """Whether this process is using the fallback (Redis failed in the last RETRY_SECONDS)."""
        return time.monotonic() < _down_until.get(self.server, 0.0)

    def ping(self):
        """Ask Redis whether it answers (for /healthz); False, quickly, when it does not."""
        if self.degraded:
            return False
        try:
            return bool(self.redis._cache.get_client(write=True).ping())
        except OUTAGE as exc:
            self._went_down(exc)
            return False

    def _call(self, name, *args, **kwargs):
        if not self.degraded:
            try:
                result = getattr(self.redis, name)(*args, **kwargs)
            except OUTAGE as exc:
                self._went_down(exc)
            else:
                if _down_until.pop(self.server, None) is not None:
                    logger.warning("Redis answers again: the cache is back in Redis")
                return result
        return getattr(self.fallback, name)(*args, **kwargs)

    def _went_down(self, exc):
        with _lock:
            was_up = self.server not in _down_until
            _down_until[self.server] = time.monotonic() + RETRY_SECONDS
        if was_up:
            logger.error(
                "Redis does not answer (%s): using the fallback cache, trying again every %s s",
                exc,
                RETRY_SECONDS,
            )

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("add", key, value, timeout, version)

    def get(self, key, default=None, version=None):
        return self._call("get", key, default, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set", key, value, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("touch", key, timeout, version)

    def delete(self, key, version=None):
        return self._call("delete", key, version)

    def get_many(self, keys, version=None):
        return self._call("get_many", keys, version)

    def has_key(self, key, version=None):
        return self._call("has_key", key, version)

    def incr(self, key, delta=1, version=None):
        return self._call("incr", key, delta, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set_many", data, timeout, version)

    def delete_many(self, keys, version=None):
        return self._call("delete_many", keys, version)

    def clear(self):
        return self._call("clear")

    def close(self, **kwargs):
        self.redis.close(**kwargs)
