"""Pytest fixtures for the zyntro tests."""
