"""Pytest fixtures for the enrich tests."""
