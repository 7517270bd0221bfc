import datetime

import factory

from hearth.access.models import Involvement

from .agencies import AgencyFactory
from .people import PersonFactory


class InvolvementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Involvement

    person = factory.SubFactory(PersonFactory)
    agency = factory.SubFactory(AgencyFactory)
    start_date = datetime.date(2024, 1, 1)
    end_date = None
