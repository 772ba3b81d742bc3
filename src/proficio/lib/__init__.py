"""Shared infrastructure with no domain models: every app may import it; it imports no app."""
