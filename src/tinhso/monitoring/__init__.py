"""Monitoring: the worker's heartbeat, the health report and the Prometheus metrics."""
