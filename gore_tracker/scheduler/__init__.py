"""The scheduler process (``flask scheduler run``): APScheduler jobs, one line each, calling
notifications functions with ``now``; and the heartbeat the admin pages watch."""
