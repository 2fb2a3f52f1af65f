"""The bank side of cash application: the bank portal (log-on, one-time code, downloads) and the bot."""
