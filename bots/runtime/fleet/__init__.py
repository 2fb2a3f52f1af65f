"""The fleet: long-running workers on several machines sharing one PostgreSQL store.

- ``worker``: ``Worker`` (slots per bot, heartbeat, graceful stop on SIGTERM) and ``FleetBot``,
  how a bot tells a worker to open a session and do one item;
- ``registry``: the ``fleet_workers`` rows (who is alive, on which item) and ``BotLocks``,
  one holder per bot across machines, expiring when the holder dies;
- ``scheduled``: scheduled runs queued for the workers (``o2c schedule`` with ``fleet.enabled``);
- ``metrics``: each worker's Prometheus metrics; ``status``: what ``o2c status`` shows.

This package is runtime: it knows no bot. ``bots/cli/worker.py`` turns bot names
into ``FleetBot`` objects (the ERP bots through ``bots.erp.runner.fleet_bot``).
"""
