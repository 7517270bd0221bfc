from rest_framework import serializers

from hearth.chronology.models import ChronologyEntry
from hearth.people.models import Person


class PersonSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = Person
        fields = [
            "id",
            "kind",
            "given_name",
            "family_name",
            "date_of_birth",
            "date_of_birth_precision",
            "sex",
        ]


class PersonSerializer(serializers.ModelSerializer):
    class Meta:
        model = Person
        fields = [
            "id",
            "kind",
            "given_name",
            "middle_names",
            "family_name",
            "date_of_birth",
            "date_of_birth_precision",
            "sex",
            "gender_current",
            "ethnicity",
            "disabilities",
            "nhs_number",
            "upn",
        ]


class ChronologyEntrySerializer(serializers.ModelSerializer):
    agency = serializers.CharField(source="agency.name")
    event_type = serializers.CharField(source="event_type.code")
    event_type_label = serializers.CharField(source="event_type.label")
    subject_ids = serializers.SerializerMethodField()

    class Meta:
        model = ChronologyEntry
        fields = [
            "id",
            "event_date",
            "date_accuracy",
            "agency",
            "event_type",
            "event_type_label",
            "description",
            "impact_on_child",
            "sharing_level",
            "status",
            "version",
            "recorded_at",
            "subject_ids",
            "household_id",
        ]

    def get_subject_ids(self, entry: ChronologyEntry) -> list[int]:
        return [link.person_id for link in entry.subject_links.all()]


class ChildRecordSerializer(serializers.Serializer):
    person = PersonSerializer()
    family = PersonSummarySerializer(many=True)
    chronology_total = serializers.IntegerField()
    counts_by_agency = serializers.DictField(child=serializers.IntegerField())
    chronology = ChronologyEntrySerializer(many=True)
