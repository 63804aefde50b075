"""Fault injection against the real topology (``make faults``): Redis stopped, PostgreSQL
restarted under load, a Celery worker killed mid-render, a full disk. See README,
"Reliability"."""
