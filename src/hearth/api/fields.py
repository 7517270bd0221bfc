"""JSON body fields that take only the JSON type the schema gives them.

DRF's own fields are lenient as forms need: a CharField takes 732 as "732", an IntegerField takes
"5" as 5. A partner system that sends a number where its own reference belongs has a bug Hearth
should tell it about, not hide; and schemathesis holds the API to its schema."""

from typing import Any

from rest_framework import serializers


class Text(serializers.CharField):
    """A JSON string, nothing else."""

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        return str(super().to_internal_value(data))


class Whole(serializers.IntegerField):
    """A JSON integer, nothing else (true and false are not 1 and 0)."""

    default_error_messages = {"invalid": "A whole number is required (not text)."}

    def to_internal_value(self, data: Any) -> int:
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        return int(super().to_internal_value(data))


# The largest id PostgreSQL's bigint holds: a larger one is refused, not sent to the database.
LARGEST_ID = 2**63 - 1


class CodeOf(serializers.SlugRelatedField):
    """A code looked up in a table: a JSON string without the NUL character (PostgreSQL text
    cannot hold one, so the look-up would fail inside the database rather than say why)."""

    default_error_messages = {"invalid": "Not a valid code."}

    def to_internal_value(self, data: Any) -> Any:
        if not isinstance(data, str) or "\x00" in data:
            self.fail("invalid")
        return super().to_internal_value(data)
