"""The rule implementations; importing this package registers them with the engine."""

from hearth.alerts.rules import casework, concern, household, plans, toolkit  # noqa: F401
