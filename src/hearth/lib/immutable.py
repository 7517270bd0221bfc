"""Models whose rows must never change once written (audit events, chronology versions).

`save()` refuses to update and `delete()` refuses always, unless an action explicitly opens
`allow_changes()` for the one field it is entitled to change. Bulk `QuerySet.update()`,
`delete()` and upserts (`bulk_create(update_conflicts=True)`) are refused too, so nothing changes
these rows by accident.
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

    def bulk_create(
        self,
        objs: Any,
        batch_size: Any = None,
        ignore_conflicts: Any = False,
        update_conflicts: Any = False,
        update_fields: Any = None,
        unique_fields: Any = None,
    ) -> Any:
        # An upsert (ON CONFLICT DO UPDATE) would overwrite existing rows behind save()'s back.
        if update_conflicts and not _changes_allowed():
            raise ImmutableRecordError(
                f"{self.model.__name__} rows cannot be overwritten by an upsert"
            )
        return super().bulk_create(
            objs,
            batch_size=batch_size,
            ignore_conflicts=ignore_conflicts,
            update_conflicts=update_conflicts,
            update_fields=update_fields,
            unique_fields=unique_fields,
        )


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
