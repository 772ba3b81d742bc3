"""The append-only audit trail: who changed or viewed a student's record, and when.

It sits low in the layers, so every app may record into it through `proficio.audit.api`.
"""
