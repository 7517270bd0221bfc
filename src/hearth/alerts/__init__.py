"""Explainable alerts: rules as data that prompt a professional response, never a verdict."""
