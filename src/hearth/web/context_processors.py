from typing import Any

from django.conf import settings
from django.http import HttpRequest

from hearth.access.permissions import Permission, has_permission


def hearth(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    return {
        "demo_mode": settings.DEMO_MODE,
        "can": {p.name.lower(): has_permission(user, p) for p in Permission} if user else {},
    }
