"""Subcommands of ``o2c``, one module per group; see ``bots.cli.main``."""
