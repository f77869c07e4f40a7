"""Feedback to marketing: aggregates, funnel metrics, recommendations, the push, the report.

Importing this package imports nothing else: ``sync.config`` imports its config models
(:mod:`sync.feedback.config`), so the heavier modules are imported by name where needed.
"""
