from django.apps import AppConfig


class AgenciesConfig(AppConfig):
    name = "hearth.agencies"
    label = "agencies"
