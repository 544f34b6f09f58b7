"""Pytest fixtures for the extract tests."""
