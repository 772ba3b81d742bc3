"""What the work app tells the apps above it, once the change is committed.

A signal, not a call: apps above work (the LTI tool's grade passback) hear of a review
without work knowing they exist."""

from django.dispatch import Signal

# Sent after the transaction of a review commits, with `review_id` and `task_id`.
review_recorded = Signal()
