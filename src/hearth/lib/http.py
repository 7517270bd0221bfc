"""A request type for views behind the URL policy, where the user is always signed in."""

from django.http import HttpRequest

from hearth.accounts.models import User


class AuthenticatedRequest(HttpRequest):
    user: User
