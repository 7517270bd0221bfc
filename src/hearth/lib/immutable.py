"""Models whose rows must never change once written (audit events, chronology versions).

`save()` refuses to update and `delete()` refuses always, unless an action explicitly opens
`allow_changes()` for the one field it is entitled to change. Bulk `QuerySet.update()` and
`delete()` are refused too, so nothing changes these rows by accident.
"""

import contextlib
import threading
from collections.abc import Iterator
from typing import Any

from django.db import models

_state = threading.local()


class ImmutableRecordError(Exception):
    pass


@contextlib.contextmanager
def allow_changes() -> Iterator[None]:
    previous = getattr(_state, "allowed", False)
    _state.allowed = True
    try:
        yield
    finally:
        _state.allowed = previous


def _changes_allowed() -> bool:
    return getattr(_state, "allowed", False)


class ImmutableQuerySet(models.QuerySet):
    def update(self, **kwargs: Any) -> int:
        if not _changes_allowed():
            raise ImmutableRecordError(f"{self.model.__name__} rows cannot be updated")
        return super().update(**kwargs)

    def delete(self) -> tuple[int, dict[str, int]]:
        raise ImmutableRecordError(f"{self.model.__name__} rows cannot be deleted")


class ImmutableModel(models.Model):
    objects = ImmutableQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding and not _changes_allowed():
            raise ImmutableRecordError(f"{type(self).__name__} rows cannot be changed once written")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise ImmutableRecordError(f"{type(self).__name__} rows cannot be deleted")
