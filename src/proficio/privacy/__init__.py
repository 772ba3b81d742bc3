"""A student's data on request: everything Proficio holds about them as one archive, and the
erasure of their identity (docs/decisions/0015)."""
