import factory

from hearth.agencies.models import Agency, AgencyType


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"agency-{n}")
    name = factory.Sequence(lambda n: f"Agency {n}")
    agency_type = AgencyType.CHILDRENS_SOCIAL_CARE
