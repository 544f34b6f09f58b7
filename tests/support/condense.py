"""Pytest fixtures for the condense tests."""
