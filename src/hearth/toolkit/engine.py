"""The one form engine every tool is rendered by: a Django form built from a tool definition.

Form field names encode where an answer lives: `s__<section>__<question>`, or
`s__<section>__<n>__<question>` for the n-th item of a repeating section; a grade's evidence is
`<grade field>__evidence`. Saving a draft checks only types; completing also checks that every
required answer, and the evidence for every grade, is there.
"""

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django import forms

from hearth.web.forms import DateField, GovukFormMixin, apply_govuk_classes

Answers = dict[str, Any]
YES_NO = [{"value": "yes", "label": "Yes"}, {"value": "no", "label": "No"}]


def field_name(section_id: str, question_id: str, item: int | None = None) -> str:
    if item is None:
        return f"s__{section_id}__{question_id}"
    return f"s__{section_id}__{item}__{question_id}"


def options_of(question: dict[str, Any]) -> list[dict[str, str]]:
    if question["type"] == "yes_no":
        return YES_NO
    if question["type"] == "grade":
        return [
            {"value": k, "label": f"Grade {k}", "hint": v}
            for k, v in sorted(question.get("descriptors", {}).items(), key=lambda kv: int(kv[0]))
        ]
    return list(question.get("options", []))


def _form_field(question: dict[str, Any], choices: dict[str, list[tuple[Any, str]]]) -> forms.Field:
    kind = question["type"]
    common: dict[str, Any] = {
        "label": question["label"],
        "help_text": question.get("hint", ""),
        "required": False,
    }
    if kind == "text":
        return forms.CharField(max_length=500, **common)
    if kind == "textarea":
        return forms.CharField(
            widget=forms.Textarea(attrs={"rows": 4 if question.get("analyse") else 3}),
            max_length=20000,
            **common,
        )
    if kind in ("choice", "yes_no", "grade"):
        opts = [(o["value"], o["label"]) for o in options_of(question)]
        return forms.ChoiceField(choices=opts, widget=forms.RadioSelect, **common)
    if kind == "multi_choice":
        opts = [(o["value"], o["label"]) for o in options_of(question)]
        return forms.MultipleChoiceField(
            choices=opts, widget=forms.CheckboxSelectMultiple, **common
        )
    if kind == "date":
        return DateField(**common)
    if kind == "integer":
        return forms.IntegerField(
            min_value=question.get("min"), max_value=question.get("max"), **common
        )
    if kind in ("person", "plan_action"):
        source = "carers" if kind == "person" else "plan_actions"
        empty = "Choose a person" if kind == "person" else "Choose an action from the plan"
        return forms.TypedChoiceField(
            choices=[("", empty), *choices.get(source, [])], coerce=int, empty_value=None, **common
        )
    raise ValueError(f"unknown question type {kind}")


@dataclass
class Option:
    widget: Any
    hint: str


@dataclass
class QuestionField:
    question: dict[str, Any]
    bound: Any
    evidence: Any = None
    options: list[Option] = field(default_factory=list)
    advice: list[Any] = field(default_factory=list)

    @property
    def voice(self) -> str:
        return str(self.question.get("voice", ""))


@dataclass
class Block:
    section: dict[str, Any]
    items: list[list[QuestionField]]

    @property
    def repeat(self) -> dict[str, Any] | None:
        return self.section.get("repeat")

    @property
    def can_add(self) -> bool:
        return self.repeat is not None and len(self.items) < int(self.repeat.get("max", 20))


def _is_blank(value: Any) -> bool:
    if isinstance(value, dict):
        return all(_is_blank(v) for v in value.values())
    return value is None or value == "" or value == []


class ToolForm(GovukFormMixin, forms.Form):
    """Built per request from a definition; `answers()` turns cleaned data into stored answers."""

    def __init__(
        self,
        definition: dict[str, Any],
        *args: Any,
        answers: Answers | None = None,
        choices: dict[str, list[tuple[Any, str]]] | None = None,
        extra_items: dict[str, int] | None = None,
        **kwargs: Any,
    ) -> None:
        self.definition = definition
        self.choices = choices or {}
        answers = answers or {}
        data = args[0] if args else kwargs.get("data")
        self.item_counts: dict[str, int] = {}
        for section in definition["sections"]:
            repeat = section.get("repeat")
            if repeat is None:
                continue
            stored = len(answers.get(section["id"]) or [])
            posted = 0
            if data is not None:
                try:
                    posted = int(data.get(f"s__{section['id']}__count", 0))
                except (TypeError, ValueError):
                    posted = 0
            count = max(stored, posted, int(repeat.get("min", 1)), 1)
            count += (extra_items or {}).get(section["id"], 0)
            self.item_counts[section["id"]] = min(count, int(repeat.get("max", 20)))
        kwargs.setdefault("initial", self._initial(answers))
        super().__init__(*args, **kwargs)
        for section, item in self._slots():
            for q in section["questions"]:
                name = field_name(section["id"], q["id"], item)
                self.fields[name] = _form_field(q, self.choices)
                if q["type"] == "grade":
                    self.fields[f"{name}__evidence"] = forms.CharField(
                        label=q.get("evidence_label", "Evidence for this grade"),
                        help_text="Required for every grade: what you saw, heard or were told.",
                        widget=forms.Textarea(attrs={"rows": 3}),
                        required=False,
                        max_length=20000,
                    )
        apply_govuk_classes(self.fields)  # the dynamic fields did not exist in super().__init__

    def _slots(self) -> list[tuple[dict[str, Any], int | None]]:
        slots: list[tuple[dict[str, Any], int | None]] = []
        for section in self.definition["sections"]:
            if section.get("repeat") is None:
                slots.append((section, None))
            else:
                slots += [(section, i) for i in range(self.item_counts[section["id"]])]
        return slots

    def _initial(self, answers: Answers) -> dict[str, Any]:
        initial: dict[str, Any] = {}
        for section in self.definition["sections"]:
            stored = answers.get(section["id"])
            if section.get("repeat") is None:
                items: list[tuple[int | None, dict[str, Any]]] = [(None, stored or {})]
            else:
                items = list(enumerate(stored or []))
            for item, values in items:
                for q in section["questions"]:
                    value = values.get(q["id"]) if isinstance(values, dict) else None
                    name = field_name(section["id"], q["id"], item)
                    if q["type"] == "grade" and isinstance(value, dict):
                        initial[name] = str(value.get("grade") or "")
                        initial[f"{name}__evidence"] = value.get("evidence", "")
                    elif value is not None:
                        initial[name] = value
        return initial

    def answers(self) -> Answers:
        """The cleaned data as stored answers; blank answers and blank repeat items are dropped."""
        data = self.cleaned_data
        result: Answers = {}
        for section in self.definition["sections"]:
            repeat = section.get("repeat") is not None
            items = range(self.item_counts[section["id"]]) if repeat else [None]
            collected: list[dict[str, Any]] = []
            for item in items:
                values: dict[str, Any] = {}
                for q in section["questions"]:
                    name = field_name(section["id"], q["id"], item)
                    value = data.get(name)
                    if q["type"] == "grade":
                        evidence = (data.get(f"{name}__evidence") or "").strip()
                        value = {"grade": int(value) if value else None, "evidence": evidence}
                    elif isinstance(value, date):
                        value = value.isoformat()
                    elif isinstance(value, str):
                        value = value.strip()
                    if not _is_blank(value):
                        values[q["id"]] = value
                if values:
                    collected.append(values)
            if repeat:
                if collected:
                    result[section["id"]] = collected
            elif collected:
                result[section["id"]] = collected[0]
        return result

    def check_complete(self) -> bool:
        """Add an error to every required answer that is missing; True when it can be completed."""
        answers = self.answers()
        for section in self.definition["sections"]:
            repeat = section.get("repeat")
            stored = answers.get(section["id"])
            if repeat is not None:
                minimum = int(repeat.get("min", 1))
                kept = stored or []
                if len(kept) < minimum:
                    self.add_error(
                        None,
                        f"{section['title']}: add at least {minimum} "
                        f"{repeat['item_label'].lower()}{'s' if minimum > 1 else ''}.",
                    )
                # Items are renumbered when blank ones are dropped: check the posted slots.
                items: list[int | None] = [
                    i for i in range(self.item_counts[section["id"]]) if self._slot_used(section, i)
                ]
            else:
                items = [None]
            for item in items:
                for q in section["questions"]:
                    name = field_name(section["id"], q["id"], item)
                    value = self.cleaned_data.get(name)
                    if q["type"] == "grade":
                        evidence = (self.cleaned_data.get(f"{name}__evidence") or "").strip()
                        if value and not evidence:
                            self.add_error(
                                f"{name}__evidence",
                                f"{q['label']}: describe the evidence for grade {value}.",
                            )
                        elif evidence and not value:
                            self.add_error(name, f"{q['label']}: choose a grade.")
                    if q.get("required") and _is_blank(value):
                        self.add_error(name, f"{q['label']}: this is needed to complete the tool.")
        future = _future_date_problem(self.definition, answers)
        if future is not None:
            self.add_error(*future)
        return not self.errors

    def _slot_used(self, section: dict[str, Any], item: int) -> bool:
        for q in section["questions"]:
            name = field_name(section["id"], q["id"], item)
            if not _is_blank(self.cleaned_data.get(name)) or (
                q["type"] == "grade" and not _is_blank(self.cleaned_data.get(f"{name}__evidence"))
            ):
                return True
        return item < int((section.get("repeat") or {}).get("min", 1))

    def blocks(self, advice: dict[str, list[Any]] | None = None) -> list[Block]:
        advice = advice or {}
        blocks: list[Block] = []
        by_section: dict[str, Block] = {}
        for section, item in self._slots():
            block = by_section.get(section["id"])
            if block is None:
                block = by_section[section["id"]] = Block(section, [])
                blocks.append(block)
            row: list[QuestionField] = []
            for q in section["questions"]:
                name = field_name(section["id"], q["id"], item)
                bound = self[name]
                qf = QuestionField(q, bound, advice=advice.get(name, []))
                if q["type"] == "grade":
                    qf.evidence = self[f"{name}__evidence"]
                    qf.advice = advice.get(f"{name}__evidence", [])
                if q["type"] in ("choice", "yes_no", "grade", "multi_choice"):
                    hints = [o.get("hint", "") for o in options_of(q)]
                    qf.options = [Option(w, h) for w, h in zip(bound, hints, strict=True)]
                row.append(qf)
            block.items.append(row)
        return blocks


def analysed_texts(definition: dict[str, Any], answers: Answers) -> dict[str, tuple[str, str]]:
    """The free text the recording-quality analyser reads, by form field name: every answer marked
    `analyse` and every grade's evidence. The child's own words are never analysed."""
    texts: dict[str, tuple[str, str]] = {}
    for section in definition["sections"]:
        stored = answers.get(section["id"])
        if section.get("repeat") is None:
            items: list[tuple[int | None, Any]] = [(None, stored or {})]
        else:
            items = list(enumerate(stored or []))
        for item, values in items:
            for q in section["questions"]:
                value = values.get(q["id"]) if isinstance(values, dict) else None
                name = field_name(section["id"], q["id"], item)
                if q["type"] == "grade" and isinstance(value, dict):
                    name, value = f"{name}__evidence", value.get("evidence")
                elif not q.get("analyse") or q.get("voice") == "child":
                    continue
                if isinstance(value, str) and value.strip():
                    texts[name] = (value, str(q.get("voice", "")))
    return texts


@dataclass
class ShownAnswer:
    label: str
    value: str
    voice: str = ""
    evidence: str = ""
    grade: int | None = None


@dataclass
class ShownSection:
    title: str
    items: list[list[ShownAnswer]]
    item_label: str = ""


def describe(
    definition: dict[str, Any], answers: Answers, names: dict[str, dict[int, str]] | None = None
) -> list[ShownSection]:
    """A completed response as it was answered, for reading (labels, not codes)."""
    names = names or {}
    shown: list[ShownSection] = []
    for section in definition["sections"]:
        stored = answers.get(section["id"])
        if section.get("repeat") is None:
            items = [stored] if stored else []
        else:
            items = list(stored or [])
        rows: list[list[ShownAnswer]] = []
        for values in items:
            row: list[ShownAnswer] = []
            for q in section["questions"]:
                value = values.get(q["id"])
                if _is_blank(value):
                    continue
                labels = {o["value"]: o["label"] for o in options_of(q)}
                if q["type"] == "grade":
                    grade = value.get("grade")
                    hint = q.get("descriptors", {}).get(str(grade), "")
                    row.append(
                        ShownAnswer(
                            q["label"],
                            f"Grade {grade}: {hint}" if grade else "Not graded",
                            evidence=value.get("evidence", ""),
                            grade=grade,
                        )
                    )
                    continue
                if q["type"] == "multi_choice":
                    text = ", ".join(labels.get(v, v) for v in value)
                elif q["type"] in ("choice", "yes_no"):
                    text = labels.get(value, value)
                elif q["type"] == "date":
                    text = date.fromisoformat(value).strftime("%-d %b %Y")
                elif q["type"] == "person":
                    text = names.get("people", {}).get(value, "A person no longer in the family")
                elif q["type"] == "plan_action":
                    text = names.get("plan_actions", {}).get(value, "An action from the plan")
                else:
                    text = str(value)
                row.append(ShownAnswer(q["label"], text, voice=str(q.get("voice", ""))))
            if row:
                rows.append(row)
        if rows:
            shown.append(
                ShownSection(
                    section["title"], rows, (section.get("repeat") or {}).get("item_label", "")
                )
            )
    return shown


def effective_date(definition: dict[str, Any], answers: Answers) -> date | None:
    """The date the tool is about: the answer to its `dated_by` question, when it has one."""
    section_id, _, question_id = str(definition.get("dated_by", "")).partition(".")
    value = (answers.get(section_id) or {}).get(question_id) if section_id else None
    return date.fromisoformat(value) if value else None


def _future_date_problem(definition: dict[str, Any], answers: Answers) -> tuple[str, str] | None:
    """(field name, message) when the tool's own date is in the future."""
    when = effective_date(definition, answers)
    if when is None or when <= date.today():  # noqa: DTZ011 - a calendar date, as entered
        return None
    section_id, _, question_id = str(definition["dated_by"]).partition(".")
    return field_name(section_id, question_id), "The date cannot be in the future."


def missing_answers(definition: dict[str, Any], answers: Answers) -> list[str]:
    """What stops stored answers being completed: the same rules as `ToolForm.check_complete`,
    for callers without a form (commands, imports, the API)."""
    missing: list[str] = []
    for section in definition["sections"]:
        repeat = section.get("repeat")
        stored = answers.get(section["id"])
        if repeat is not None:
            items = list(stored or [])
            minimum = int(repeat.get("min", 1))
            if len(items) < minimum:
                missing.append(
                    f"{section['title']}: add at least {minimum} {repeat['item_label'].lower()}."
                )
        else:
            items = [stored or {}]
        for values in items:
            for q in section["questions"]:
                value = values.get(q["id"])
                if q["type"] == "grade" and isinstance(value, dict):
                    if value.get("grade") and not str(value.get("evidence", "")).strip():
                        missing.append(f"{q['label']}: describe the evidence for the grade.")
                    if not value.get("grade") and q.get("required"):
                        missing.append(f"{q['label']}: choose a grade.")
                elif q.get("required") and _is_blank(value):
                    missing.append(f"{section['title']}: {q['label']} is needed.")
    future = _future_date_problem(definition, answers)
    if future is not None:
        missing.append(future[1])
    return missing
