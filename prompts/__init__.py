"""Prompt templates (text files), shipped as package data; rendered by agent.condense.prompts."""
