"""Background jobs: one queue (Django's tasks API) for work that outlives a request."""
