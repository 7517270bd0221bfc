"""Published versions (tool definitions, alert rules) are identified by the checksum of their
canonical JSON: re-publishing the same content is recognised, different content is refused."""

import hashlib
import json
from typing import Any


def checksum(data: Any) -> str:
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()
