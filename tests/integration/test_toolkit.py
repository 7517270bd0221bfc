"""The neglect toolkit end to end: versioned tools, drafts, completion, amendment, access, audit."""

import datetime
import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from hearth.audit.models import AuditAction, AuditEvent
from hearth.chronology.models import ChronologyEntry
from hearth.toolkit import actions, reporting
from hearth.toolkit.models import ResponseStatus, ResponseVersion, Tool, ToolResponse, ToolVersion
from hearth.toolkit.registry import SHIPPED_DIR, DefinitionError, load_definition
from tests.conftest import page_text, sign_in
from tests.factories.toolkit import day_in_my_life, definition, graded_care, make_plan, post_data

pytestmark = pytest.mark.django_db


def start_url(person, code):
    return reverse("toolkit:start", args=[person.pk, code])


def complete_tool(client, person, code, answers, **extra):
    response = client.post(start_url(person, code), post_data(code, answers, **extra))
    assert response.status_code == 302, page_text(response)
    return ToolResponse.objects.filter(child=person, tool__code=code).latest("pk")


def test_every_shipped_tool_is_published_once_as_version_one(world):
    codes = set(Tool.objects.values_list("code", flat=True))
    assert codes == {p.stem for p in SHIPPED_DIR.glob("*.json")}
    assert len(codes) == 7
    assert set(ToolVersion.objects.values_list("version", flat=True)) == {1}
    # Loading the same files again (every migrate does) changes nothing.
    call_command("toolkit", "load", *sorted(SHIPPED_DIR.glob("*.json")))
    assert ToolVersion.objects.count() == 7


def test_a_revised_version_is_published_without_code_and_old_responses_keep_their_wording(
    client, world, tmp_path
):
    sign_in(client, world.alice)
    first = complete_tool(client, world.amy, "day-in-my-life", day_in_my_life())
    revised = definition("day-in-my-life")
    revised["version"] = 2
    revised["sections"][-1]["questions"][0]["label"] = "What is going well for this child?"
    path = tmp_path / "day-v2.json"
    path.write_text(json.dumps(revised))
    call_command("toolkit", "load", str(path))

    assert Tool.objects.get(code="day-in-my-life").current_version().version == 2
    second = complete_tool(client, world.amy, "day-in-my-life", day_in_my_life())
    assert second.tool_version.version == 2
    old_page = page_text(client.get(reverse("toolkit:response", args=[world.amy.pk, first.pk])))
    new_page = page_text(client.get(reverse("toolkit:response", args=[world.amy.pk, second.pk])))
    assert "What is good in this child" in old_page and "going well" not in old_page
    assert "What is going well for this child?" in new_page


def test_changing_a_published_version_in_place_is_refused(world):
    changed = definition("sdq")
    changed["summary"] = "Quietly changed"
    with pytest.raises(DefinitionError, match="publish the change as version 2"):
        load_definition(changed)


def test_an_invalid_definition_file_is_reported_by_path_and_nothing_is_loaded(world, tmp_path):
    bad = definition("assessment-checklist")
    bad.update(code="bad-tool", version=1)
    bad["sections"][0]["questions"][0]["type"] = "slider"
    broken = tmp_path / "broken.json"
    broken.write_text("{ not json")
    invalid = tmp_path / "invalid.json"
    invalid.write_text(json.dumps(bad))
    with pytest.raises(CommandError):
        call_command("toolkit", "load", str(invalid), str(broken))
    assert not Tool.objects.filter(code="bad-tool").exists()


def test_invalid_definition_problems_name_the_place(world):
    bad = definition("graded-care")
    bad["code"] = "graded-care-x"
    del bad["sections"][1]["questions"][0]["descriptors"]["3"]
    with pytest.raises(DefinitionError) as error:
        load_definition(bad)
    assert "nutrition" in str(error.value) and "descriptors" in str(error.value)


def test_a_draft_is_saved_then_completed_locked_and_recorded_in_the_chronology(client, world):
    sign_in(client, world.alice)
    answers = day_in_my_life()
    # A draft needs nothing in particular.
    response = client.post(
        start_url(world.amy, "day-in-my-life"),
        post_data("day-in-my-life", {"breakfast": answers["breakfast"]}, action="draft"),
    )
    draft = ToolResponse.objects.get(child=world.amy)
    assert response.status_code == 302 and draft.status == ResponseStatus.DRAFT
    assert draft.answers["breakfast"]["child_feels"] == "hungry"
    assert ChronologyEntry.objects.filter(source_system="hearth-toolkit").count() == 0

    # Completing without the required answers is refused, naming them; the draft is untouched.
    edit_url = reverse("toolkit:edit", args=[world.amy.pk, draft.pk])
    refused = client.post(
        edit_url, post_data("day-in-my-life", {"breakfast": answers["breakfast"]})
    )
    assert refused.status_code == 200
    assert "Was the child seen alone?: this is needed to complete the tool." in page_text(refused)
    draft.refresh_from_db()
    assert draft.status == ResponseStatus.DRAFT

    done = client.post(edit_url, post_data("day-in-my-life", answers))
    assert done.status_code == 302
    draft.refresh_from_db()
    assert draft.status == ResponseStatus.COMPLETED and draft.version == 1
    entry = draft.chronology_entry
    assert entry.event_type.code == "tool-completed"
    assert list(entry.subjects.all()) == [world.amy]
    assert "Child seen alone: yes" in entry.description
    assert ResponseVersion.objects.filter(response=draft, version=1, kind="completed").exists()
    assert set(
        AuditEvent.objects.filter(object_type="tool_response", object_id=str(draft.pk)).values_list(
            "action", flat=True
        )
    ) >= {AuditAction.SAVE_TOOL_DRAFT, AuditAction.COMPLETE_TOOL}
    # Completed responses are no longer edited as drafts.
    assert client.get(edit_url)["Location"].endswith(f"/responses/{draft.pk}/amend/")

    child_page = page_text(client.get(reverse("people:detail", args=[world.amy.pk])))
    assert "A day in my life" in child_page and "Child seen alone: yes." in child_page


def test_amending_a_completed_response_keeps_the_version_as_completed(client, world):
    sign_in(client, world.alice)
    done = complete_tool(client, world.amy, "day-in-my-life", day_in_my_life())
    amend_url = reverse("toolkit:amend", args=[world.amy.pk, done.pk])
    without_reason = client.post(
        amend_url, post_data("day-in-my-life", day_in_my_life(seen_alone="no"), action="amend")
    )
    assert without_reason.status_code == 200
    assert ToolResponse.objects.get(pk=done.pk).version == 1

    client.post(
        amend_url,
        post_data(
            "day-in-my-life",
            day_in_my_life(seen_alone="no"),
            action="amend",
            reason="Recorded against the wrong visit: Amy was seen with her mother.",
        ),
    )
    done.refresh_from_db()
    assert done.version == 2 and done.answers["voice"]["seen_alone"] == "no"
    first, second = ResponseVersion.objects.filter(response=done).order_by("version")
    assert first.answers["voice"]["seen_alone"] == "yes"
    assert "wrong visit" in second.reason
    entry = done.chronology_entry
    entry.refresh_from_db()
    assert entry.version == 2 and "Child seen alone: no" in entry.description
    old = page_text(
        client.get(reverse("toolkit:response", args=[world.amy.pk, done.pk]) + "?version=1")
    )
    assert "You are reading version 1" in old


def test_another_agency_reads_completed_tools_but_cannot_amend_or_see_drafts(client, world):
    sign_in(client, world.alice)
    done = complete_tool(client, world.amy, "day-in-my-life", day_in_my_life())
    client.post(
        start_url(world.amy, "graded-care"),
        post_data("graded-care", graded_care(2), action="draft"),
    )
    draft = ToolResponse.objects.get(status=ResponseStatus.DRAFT)

    sign_in(client, world.bob)  # health visitor to Amy's mother: a family relationship
    assert client.get(reverse("toolkit:response", args=[world.amy.pk, done.pk])).status_code == 200
    assert client.get(reverse("toolkit:response", args=[world.amy.pk, draft.pk])).status_code == 404
    assert client.get(reverse("toolkit:amend", args=[world.amy.pk, done.pk])).status_code == 404
    page = page_text(client.get(reverse("toolkit:child", args=[world.amy.pk])))
    assert "Drafts from your agency" not in page
    # Bob's own agency can complete a tool for the same child.
    mine = complete_tool(
        client,
        world.amy,
        "assessment-checklist",
        {
            "about": {"assessment_date": "2025-03-01"},
            "checklist": {
                q["id"]: "yes"
                for q in definition("assessment-checklist")["sections"][1]["questions"]
            },
        },
    )
    assert mine.agency == world.health and mine.result["completeness"] == 100


def test_no_relationship_no_toolkit(client, world):
    sign_in(client, world.charlie)  # the school knows only Zara
    assert client.get(reverse("toolkit:child", args=[world.amy.pk])).status_code == 404
    refused = client.post(
        start_url(world.amy, "day-in-my-life"), post_data("day-in-my-life", day_in_my_life())
    )
    assert refused.status_code == 404
    assert not ToolResponse.objects.exists()
    assert AuditEvent.objects.filter(action=AuditAction.DENIED, actor_username="charlie").exists()


def test_analysts_do_not_complete_tools(client, world):
    sign_in(client, world.nina)
    assert client.get(start_url(world.amy, "sdq")).status_code in (403, 404)


def test_a_grade_without_evidence_cannot_be_completed(client, world):
    sign_in(client, world.alice)
    answers = graded_care(2)
    answers["physical_care"]["nutrition"]["evidence"] = ""
    refused = client.post(start_url(world.amy, "graded-care"), post_data("graded-care", answers))
    assert refused.status_code == 200
    assert "Food and drink: describe the evidence for grade 2." in page_text(refused)
    assert not ToolResponse.objects.filter(status=ResponseStatus.COMPLETED).exists()


def test_graded_care_over_time_shows_siblings_and_detects_dipping_care(client, world):
    sign_in(client, world.alice)
    for when, grade in [("2024-01-10", 2), ("2024-04-10", 4), ("2024-07-10", 2), ("2024-10-10", 4)]:
        complete_tool(
            client,
            world.amy,
            "graded-care",
            graded_care(grade, assessed_on=when),
            **{"meta-siblings": [world.ben.pk]},
        )
    page = page_text(client.get(reverse("toolkit:child", args=[world.amy.pk])))
    assert "Care repeatedly dips below good enough" in page
    assert '<svg class="hearth-chart"' in page and "Good enough line" in page
    assert page.count("Jan 2024") >= 1 and "Oct 2024" in page
    # Every assessment covered Ben too: his toolkit shows the same history.
    ben_page = page_text(client.get(reverse("toolkit:child", args=[world.ben.pk])))
    assert "Care repeatedly dips" in ben_page
    assert "Brothers and sisters side by side" in ben_page


def test_steadily_poor_care_is_not_called_dipping(client, world):
    sign_in(client, world.alice)
    for when in ("2024-01-10", "2024-04-10", "2024-07-10"):
        complete_tool(client, world.amy, "graded-care", graded_care(4, assessed_on=when))
    page = page_text(client.get(reverse("toolkit:child", args=[world.amy.pk])))
    assert "Care repeatedly dips" not in page
    assert "below good enough: Physical care" in page


def test_sdq_scores_shown_on_the_child_page(client, world):
    sign_in(client, world.alice)
    items = {f"item_{n}": "0" for n in range(1, 26)}
    for n in (3, 8, 13, 16, 24):  # emotional symptoms, all "certainly true": 10
        items[f"item_{n}"] = "2"
    done = complete_tool(
        client,
        world.amy,
        "sdq",
        {
            "about": {"informant": "parent", "completed_on": "2025-02-01"},
            "items": items,
            "impact": {"has_difficulties": "no"},
        },
    )
    # Reverse-scored items answered "not true" (0) score 2 each: conduct 2, hyperactivity 4, peer 4.
    assert done.result["scales"]["emotional"]["score"] == 10
    assert done.result["total_difficulties"]["score"] == 10 + 2 + 4 + 4
    assert done.result["total_difficulties"]["band"] == "very_high"
    child_page = page_text(client.get(reverse("people:detail", args=[world.amy.pk])))
    assert "total difficulties 20 (very high)" in child_page


def test_parent_child_observation_is_about_one_carer(client, world):
    sign_in(client, world.bob)
    obs = {
        "setting": {"observed_on": "2025-02-02", "where": "Home"},
        "observation": {
            q: {"grade": 3, "evidence": "Mandy looked at her phone when Amy cried."}
            for q in ("warmth", "attunement", "responsiveness", "boundaries", "child_behaviour")
        },
        "summary": {"impact_on_child": "Amy stops asking for comfort and goes quiet."},
    }
    refused = client.post(
        start_url(world.amy, "parent-child-observation"), post_data("parent-child-observation", obs)
    )
    assert "Choose the carer this is about." in page_text(refused)
    done = complete_tool(
        client, world.amy, "parent-child-observation", obs, **{"meta-carer": world.mandy.pk}
    )
    assert done.carer == world.mandy
    assert "with Mandy Archer" in done.chronology_entry.description


def test_capacity_to_change_reviews_repeat_and_show_lack_of_progress(client, world):
    sign_in(client, world.alice)
    answers = {
        "change": {
            "what_must_change": "Food in the house every day for Amy and Ben.",
            "baseline": "Cupboards empty at 3 of 3 unannounced visits.",
            "target": "Food for breakfast and tea at every visit for 8 weeks.",
            "intervention": "Food bank referral; budgeting support weekly.",
            "target_date": "2025-01-31",
        },
        "reviews": [
            {
                "review_date": "2024-11-01",
                "progress": "none",
                "measured_progress": "Empty at 2 visits.",
                "stage": "contemplation",
                "evidence": "Cupboards empty on 1 and 8 November.",
            },
        ],
    }
    # Asking for another review adds a second review block to the draft.
    added = client.post(
        start_url(world.amy, "capacity-to-change"),
        post_data(
            "capacity-to-change", answers, action="add:reviews", **{"meta-carer": world.mandy.pk}
        ),
    )
    assert "?add=reviews" in added["Location"]
    form_page = page_text(client.get(added["Location"]))
    assert "Review 2" in form_page
    draft = ToolResponse.objects.get(tool__code="capacity-to-change")
    client.post(
        reverse("toolkit:edit", args=[world.amy.pk, draft.pk]),
        post_data("capacity-to-change", answers, **{"meta-carer": world.mandy.pk}),
    )
    page = page_text(client.get(reverse("toolkit:child", args=[world.amy.pk])))
    assert "Target date passed without progress" in page
    assert "Mandy Archer" in page


def test_recording_advice_is_shown_on_a_saved_draft_and_never_blocks_saving(client, world):
    sign_in(client, world.alice)
    answers = day_in_my_life()
    answers["summary"]["worrying_for_child"] = "Poor home conditions. Mum is doing her best."
    response = client.post(
        start_url(world.amy, "day-in-my-life"), post_data("day-in-my-life", answers)
    )
    assert response.status_code == 302  # completed despite the advice
    draft_like = ToolResponse.objects.get()
    page = page_text(client.get(reverse("toolkit:response", args=[world.amy.pk, draft_like.pk])))
    assert draft_like.status == ResponseStatus.COMPLETED
    assert "poor home conditions" in page.lower()


def test_toolkit_reporting_counts_tools_by_week_and_mandatory_coverage(client, world):
    make_plan(world.amy, world.csc)  # Amy: on a CP plan for neglect; Ben is not
    sign_in(client, world.alice)
    complete_tool(client, world.amy, "day-in-my-life", day_in_my_life())
    sign_in(client, world.bob)
    complete_tool(client, world.amy, "graded-care", graded_care(2))
    today = datetime.date.today()
    rows = reporting.tools_completed_by_week(today - datetime.timedelta(days=7), today)
    assert {(r["tool"], r["agency"], r["count"]) for r in rows} == {
        ("day-in-my-life", world.csc.name, 1),
        ("graded-care", world.health.name, 1),
    }
    coverage = {r["tool"]: r for r in reporting.mandatory_tool_coverage(today)}
    assert coverage["day-in-my-life"]["children"] == 1
    assert coverage["day-in-my-life"]["share"] == 100.0
    assert coverage["parent-child-observation"]["share"] == 0.0
    assert coverage["chronology"]["with_tool"] == 0  # the tool event states no impact
    voice = reporting.voice_of_the_child(today)
    assert voice == {
        "children": 1,
        "with_day_in_my_life": 1,
        "seen_alone": 1,
        "own_words_recorded": 1,
        "knows_plan": 1,
    }


def test_only_the_starting_agency_changes_a_draft(world):
    version = Tool.objects.get(code="sdq").current_version()
    draft = actions.save_draft(by=world.alice, tool_version=version, child=world.amy, answers={})
    with pytest.raises(Exception, match="Only the agency"):
        actions.save_draft(
            by=world.bob, tool_version=version, child=world.amy, answers={}, response=draft
        )


def test_definitions_directory_is_packaged_next_to_the_schema():
    assert (SHIPPED_DIR.parent / "definition.schema.json").is_file()
    assert all(Path(p).suffix == ".json" for p in SHIPPED_DIR.iterdir())


def test_the_tools_own_date_dates_it_and_cannot_be_in_the_future(client, world):
    sign_in(client, world.alice)
    future = (datetime.date.today() + datetime.timedelta(days=3)).isoformat()
    refused = client.post(
        start_url(world.amy, "graded-care"),
        post_data("graded-care", graded_care(2, assessed_on=future)),
    )
    assert "The date cannot be in the future." in page_text(refused)
    done = complete_tool(client, world.amy, "graded-care", graded_care(2, assessed_on="2024-05-06"))
    assert done.effective_date == datetime.date(2024, 5, 6)
    assert done.chronology_entry.event_date == datetime.date(2024, 5, 6)


def test_recording_advice_as_the_practitioner_types_through_the_api(client, world):
    sign_in(client, world.alice)
    response = client.post(
        reverse("api:recording_analyse"),
        {"text": "Poor home conditions. No concerns.", "expect_impact": True},
        content_type="application/json",
    )
    assert response.status_code == 200
    flags = response.json()["flags"]
    assert [f["phrase"].lower() for f in flags][:2] == ["poor home conditions", "no concerns"]
    assert flags[0]["start"] == 0 and flags[-1]["code"] == "missing-impact"
    sign_in(client, world.nina)  # analysts do not record
    refused = client.post(
        reverse("api:recording_analyse"), {"text": "messy"}, content_type="application/json"
    )
    assert refused.status_code == 403


def test_recording_quality_in_bulk_by_agency(client, world, tmp_path):
    from io import StringIO

    from tests.factories.chronology import make_entry

    make_entry(by=world.alice, subjects=[world.amy], description="Home cluttered. No concerns.")
    make_entry(
        by=world.bob,
        subjects=[world.mandy],
        description="Mandy was not at home at 10am; Ben's cot had no bedding and smelt of urine.",
        impact_on_child="Ben sleeps on a wet mattress.",
    )
    out = StringIO()
    csv_path = tmp_path / "quality.csv"
    call_command("recording", "report", "--since", "2000-01-01", "--csv", str(csv_path), stdout=out)
    lines = csv_path.read_text().splitlines()
    header = lines[0].split(",")
    rows = {
        line.split(",")[0]: dict(zip(header, line.split(","), strict=True)) for line in lines[1:]
    }
    assert rows[world.csc.name]["advised"] == "1"
    assert rows[world.health.name]["advised"] == "0"
    assert "Recording quality" in out.getvalue()
