"""Prometheus metrics of one worker, served on its own port (``--metrics-port``).

::

    metrics = WorkerMetrics.serve(9464)          # http://HOST:9464/metrics
    metrics.item_finished("erp-order-entry", "done", 1.8)
    metrics.queue_depth({"new": 12, "in_progress": 2})

Series (``o2c_`` prefix):

- ``o2c_items_total{bot, outcome}``: items a worker finished; outcome ``done``,
  ``exception`` (to a person), ``retry`` (back with backoff) or ``error`` (a bug);
- ``o2c_item_seconds{bot}``: how long one item took, as a histogram;
- ``o2c_queue_items{state}``: items in the store by state, refreshed on every heartbeat;
- ``o2c_worker_busy_slots``: slots working on an item now.

Each worker has its own registry, so several workers in one process (tests) never mix.
"""

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, start_http_server

# Orders take about 2 s, payments 1 to 3 s; the tail shows busy retries and lost sessions.
DURATION_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5, 8, 13, 21, 34, 60, 120)
QUEUE_STATES = ("new", "in_progress", "done", "exception", "retried", "resolved", "dismissed")


class WorkerMetrics:
    """The metrics of one worker and, once ``serve``d, the HTTP endpoint that exposes them."""

    def __init__(self):
        self.registry = CollectorRegistry()
        self.port: int | None = None
        self._server = None
        self.items = Counter("o2c_items", "Work items a worker finished, by bot and outcome.",
                             ["bot", "outcome"], registry=self.registry)
        self.seconds = Histogram("o2c_item_seconds", "Seconds a worker took for one work item.", ["bot"],
                                 buckets=DURATION_BUCKETS, registry=self.registry)
        self.queue = Gauge("o2c_queue_items", "Work items in the store, by state.", ["state"], registry=self.registry)
        self.busy = Gauge("o2c_worker_busy_slots", "Slots of this worker working on an item now.",
                          registry=self.registry)

    @classmethod
    def serve(cls, port: int, host: str = "0.0.0.0") -> "WorkerMetrics":
        """Metrics served at ``http://host:port/metrics`` (port 0: any free port, see ``.port``)."""
        metrics = cls()
        metrics._server, _thread = start_http_server(port, addr=host, registry=metrics.registry)
        metrics.port = metrics._server.server_port
        return metrics

    def item_finished(self, bot: str, outcome: str, seconds: float) -> None:
        """Count one item of ``bot`` finished with ``outcome``, which took ``seconds``."""
        self.items.labels(bot=bot, outcome=outcome).inc()
        self.seconds.labels(bot=bot).observe(seconds)

    def queue_depth(self, counts: dict[str, int]) -> None:
        """Set the queue gauges from ``WorkQueue.counts()`` (states without items read 0)."""
        for state in sorted(set(QUEUE_STATES) | set(counts)):
            self.queue.labels(state=state).set(counts.get(state, 0))

    def busy_slots(self, n: int) -> None:
        self.busy.set(n)

    def close(self) -> None:
        """Stop serving."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
