"""Pytest fixtures for the fetch tests."""
