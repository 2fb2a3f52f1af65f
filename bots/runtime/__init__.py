"""The runtime every bot stands on: the work queue and its store, runs and audit, settings,
logs, schedules, the browser, screens, errors, the clock, outgoing mail, the shared web layer
and the fleet of workers. It imports no bot, no command and no demo (tests/test_layers.py)."""
