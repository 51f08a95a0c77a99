"""The scheduler process and its build processes: scheduled and queued builds, leases and heartbeats, e-mail delivery.

Web workers never import this package to build: they only queue a build (operations.request_report)."""
