"""Hearth: one multi-agency record around each child, for recognising and responding to neglect."""
