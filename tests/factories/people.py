import datetime

import factory

from hearth.people.actions import name_row
from hearth.people.models import Address, Person, PersonKind, Relationship, Residence, Sex


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person
        skip_postgeneration_save = True

    kind = PersonKind.CHILD
    given_name = factory.Sequence(lambda n: f"Child{n}")
    family_name = "Testfamily"
    date_of_birth = datetime.date(2016, 5, 4)
    sex = Sex.FEMALE

    @factory.post_generation
    def names(obj, create, extracted, **kwargs):
        if create:
            name_row(obj, obj.given_name, obj.family_name).save()


class AddressFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Address

    line1 = factory.Sequence(lambda n: f"{n + 1} Test Street")
    town = "Testtown"
    postcode = "RH10 1AA"


class ResidenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Residence

    person = factory.SubFactory(PersonFactory)
    address = factory.SubFactory(AddressFactory)
    start_date = datetime.date(2020, 1, 1)
    end_date = None


class RelationshipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Relationship

    person = factory.SubFactory(PersonFactory, kind=PersonKind.ADULT)
    relative = factory.SubFactory(PersonFactory)
    relationship_type = "mother"
