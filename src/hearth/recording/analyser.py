"""The recording-quality language analyser.

Serious case reviews found that stock phrases dilute harm: "unsanitary with a foul smell and a
fire hazard" became "poor home conditions" in the minutes. This module reads a free-text field and
returns advice (`Flag`s), never a verdict: each flag names the phrase, where it is, and what to ask
the practitioner instead. It never blocks a save.

Everything it looks for is data in `lexicon.json` (or the file named by the Django setting
`HEARTH_RECORDING_LEXICON`). The context rules (quotation, negation, explanation, scope, the
child's own words) are documented in docs/language-analyser.md. Standard library only.

Speed: patterns run on a lower-cased copy of the text (ASCII letters only, so offsets are shared).
Rather than scanning the text once per pattern, the lexicon is indexed by the first letters each
pattern can start with, and one pass over the words tries only the patterns that could match
there, so a 1,000-word entry takes a few milliseconds.
"""

from __future__ import annotations

import json
import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import import_module
from pathlib import Path
from string import ascii_uppercase
from typing import Any

__all__ = ["CATEGORIES", "DEFAULT_LEXICON_PATH", "Flag", "Lexicon", "analyse", "load_lexicon"]

DEFAULT_LEXICON_PATH = Path(__file__).with_name("lexicon.json")
CATEGORIES = ("vague", "euphemism", "minimising", "acronym", "missing-impact", "missing-voice")
MISSING_IMPACT = "missing-impact"
MISSING_VOICE = "missing-child-voice"
UNEXPLAINED_ACRONYM = "unexplained-acronym"
_FIXED_CATEGORIES = {
    MISSING_IMPACT: "missing-impact",
    MISSING_VOICE: "missing-voice",
    UNEXPLAINED_ACRONYM: "acronym",
}


@dataclass(frozen=True)
class Flag:
    """One piece of advice about a recording; offsets index the analysed text."""

    code: str
    category: str
    phrase: str
    start: int
    end: int
    prompt: str

    def as_dict(self) -> dict[str, object]:
        return {
            "code": self.code,
            "category": self.category,
            "phrase": self.phrase,
            "start": self.start,
            "end": self.end,
            "prompt": self.prompt,
        }


@dataclass(frozen=True)
class Entry:
    """A lexicon entry: one kind of weak phrase, its prompt and the rules that excuse it."""

    code: str
    category: str
    prompt: str
    negatable: bool = False
    explainable: bool = False
    explained_by_with: bool = False
    scoped: bool = False


@dataclass(frozen=True, slots=True)
class _Rule:
    """One compiled pattern and what it is evidence of."""

    family: str  # "phrase", "verb", "marker", "state", "subjectless", "consequence", "voice"
    entry: int  # index into Lexicon.entries, for phrases
    pattern: re.Pattern[str]


@dataclass(frozen=True)
class Lexicon:
    """A compiled lexicon. Build one with `load_lexicon`; it is immutable and thread-safe."""

    path: str
    entries: tuple[Entry, ...]
    index: _Index  # phrases, reporting verbs and voice markers: always looked for
    impact_index: _Index  # the same plus impact markers and states, when impact is expected
    negators: frozenset[str]
    negation_window: int
    explanation_re: re.Pattern[str]
    with_re: re.Pattern[str]
    scope_re: re.Pattern[str]
    scope_stop_words: frozenset[str]
    determiners: frozenset[str]
    generic_topics: frozenset[str]
    generic_objects: frozenset[str]
    acronym_prompt: str
    well_known_acronyms: frozenset[str]
    not_acronyms: frozenset[str]
    impact_prompt: str
    quoted_state_re: re.Pattern[str]
    voice_prompt: str
    adult_terms: frozenset[str]
    institutions: frozenset[str]
    child_terms: frozenset[str]
    female: frozenset[str]
    male: frozenset[str]
    plural: frozenset[str]
    titles: frozenset[str]
    not_names: frozenset[str]  # capitalised words that are not names (titles included)
    name_verbs: frozenset[str]  # "Ella said": a capitalised first word before these is a name
    prepositions: frozenset[str]  # "looked at mum": mum is not the subject of what follows
    people_words: frozenset[str]  # adult and child terms and pronouns, for a quick first test
    adult_roles: frozenset[str]  # adult terms that a name can stand in apposition to

    def category_of(self, code: str) -> str:
        """The category a flag code belongs to (for reports broken down by category)."""
        if code in _FIXED_CATEGORIES:
            return _FIXED_CATEGORIES[code]
        return next((e.category for e in self.entries if e.code == code), "unknown")


# --- compiling patterns --------------------------------------------------------------------------

_NEVER = r"(?!x)x"
_NAME = r"[a-z][a-z'-]+"
_WORD_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789_")
_TOKEN_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz'-")
_KEY = 4  # letters of a word used to look up the rules that could start there
_WORD_END = r"(?:(?<![a-z0-9_])|(?![a-z0-9_]))"


def _pattern(source: str) -> str:
    """A lexicon pattern as a regex: a literal space matches a whitespace run; {name} a word."""
    return source.replace(" ", r"\s+").replace("{name}", _NAME)


def _keys(regex: str) -> frozenset[str] | None:
    """The word starts a match of `regex` can begin with: 4-letter prefixes or shorter words.

    For "(?:in)?adequate" that is {"inad", "adeq"}; for "no (?:\\w+ )?concerns" it is {"no"}.
    None means it can't be worked out (say the pattern starts with \\w or a look-behind), and the
    rule then scans the whole text: slower, never wrong. This reads the parse tree through the
    private `re._parser`, so anything unexpected also returns None.
    """
    try:
        c, parser = import_module("re._constants"), import_module("re._parser")
    except ImportError:  # pragma: no cover - a future Python without the private parser
        return None
    repeats = {c.MAX_REPEAT, c.MIN_REPEAT, getattr(c, "POSSESSIVE_REPEAT", c.MAX_REPEAT)}
    State = tuple[frozenset[str], frozenset[str]]  # (words still being spelt, finished keys)

    def extend(open_: frozenset[str], chars: Iterable[str]) -> State:
        spelt: set[str] = set()
        done: set[str] = set()
        for prefix in open_:
            for ch in chars:
                if ch in _TOKEN_CHARS:
                    (done if len(prefix) + 1 == _KEY else spelt).add(prefix + ch)
                elif prefix:
                    done.add(prefix)  # the word ended here
                else:
                    raise ValueError("starts with a non-word character")
        return frozenset(spelt), frozenset(done)

    def walk(items: Any, state: State) -> State:
        open_, done = state
        for op, av in items:
            if not open_:
                break
            if op is c.LITERAL:
                spelt, ended = extend(open_, [chr(av)])
            elif op is c.IN:
                chars: list[str] = []
                for kind, value in av:
                    if kind is c.LITERAL:
                        chars.append(chr(value))
                    elif kind is c.RANGE:
                        chars.extend(chr(x) for x in range(value[0], value[1] + 1))
                    elif kind is c.CATEGORY and value is c.CATEGORY_SPACE:
                        chars.append(" ")
                    else:
                        raise ValueError("an open character class")
                spelt, ended = extend(open_, chars)
            elif op in (c.AT, c.ASSERT, c.ASSERT_NOT):
                continue  # zero width: ignoring it can only widen the keys
            elif op is c.SUBPATTERN:
                spelt, ended = walk(av[-1], (open_, frozenset()))
            elif op is c.BRANCH:
                spelt_parts: set[str] = set()
                ended_parts: set[str] = set()
                for alternative in av[1]:
                    s, e = walk(alternative, (open_, frozenset()))
                    spelt_parts |= s
                    ended_parts |= e
                spelt, ended = frozenset(spelt_parts), frozenset(ended_parts)
            elif op in repeats:
                low, high, inner = av
                spelt_parts = set(open_) if low == 0 else set()
                ended_parts = set()
                current = open_
                for count in range(1, min(high, _KEY) + 1):
                    current, e = walk(inner, (current, frozenset()))
                    ended_parts |= e
                    if count >= low:
                        spelt_parts |= current
                    if not current:
                        break
                if current and high > _KEY:
                    raise ValueError("a long repeat")
                spelt, ended = frozenset(spelt_parts), frozenset(ended_parts)
            else:
                raise ValueError(f"unsupported {op}")
            open_, done = spelt, done | ended
            if len(open_) + len(done) > 2000:
                raise ValueError("too many keys")
        return open_, done

    try:
        open_, done = walk(parser.parse(regex), (frozenset({""}), frozenset()))
    except (ValueError, re.error, AttributeError, TypeError, IndexError):
        return None
    keys = done | open_  # a pattern may end mid-word: the text word then simply ends too
    return frozenset(keys) if keys and "" not in keys else None


def _rules(family: str, sources: Iterable[str], entry: int = -1) -> list[tuple[_Rule, str]]:
    # A match must end a word, unless it already ends in punctuation or space ("names '").
    return [
        (_Rule(family, entry, re.compile(rf"(?:{_pattern(s)}){_WORD_END}")), _pattern(s))
        for s in sources
    ]


@dataclass(frozen=True)
class _Index:
    """Rules keyed by the first four letters of a word, or by a whole shorter word."""

    by_prefix: dict[str, tuple[_Rule, ...]]
    by_word: dict[str, tuple[_Rule, ...]]
    unindexed: tuple[_Rule, ...]  # rules whose first word can't be known: they scan the text

    def rules_at(self, word: str) -> tuple[_Rule, ...] | None:
        return self.by_prefix.get(word[:_KEY]) if len(word) >= _KEY else self.by_word.get(word)


def _index(rules: Iterable[tuple[_Rule, str]]) -> _Index:
    by_prefix: dict[str, list[_Rule]] = {}
    by_word: dict[str, list[_Rule]] = {}
    unindexed: list[_Rule] = []
    for rule, regex in rules:
        keys = _keys(regex)
        if keys is None:
            unindexed.append(rule)
            continue
        for key in keys:
            (by_prefix if len(key) == _KEY else by_word).setdefault(key, []).append(rule)
    return _Index(
        {k: tuple(v) for k, v in by_prefix.items()},
        {k: tuple(v) for k, v in by_word.items()},
        tuple(unindexed),
    )


def _words(values: Iterable[str]) -> frozenset[str]:
    return frozenset(v.lower() for v in values)


# --- loading ----------------------------------------------------------------------------------


def _configured_path() -> str | None:
    """The `HEARTH_RECORDING_LEXICON` setting, or None when Django is absent or unconfigured."""
    try:
        from django.conf import settings
        from django.core.exceptions import ImproperlyConfigured
    except ImportError:
        return None
    try:
        value = getattr(settings, "HEARTH_RECORDING_LEXICON", None)
    except (ImproperlyConfigured, ImportError):
        return None
    return str(value) if value else None


def load_lexicon(path: str | Path | None = None) -> Lexicon:
    """Load and compile a lexicon file.

    With no path: the file named by the `HEARTH_RECORDING_LEXICON` setting if Django is
    configured, else the one shipped with the package. That default is cached, so call this
    freely. An explicit path is read afresh each time, so an edited file takes effect.
    """
    if path is not None:
        return _parse(Path(path))
    return _cached(_configured_path() or str(DEFAULT_LEXICON_PATH))


@lru_cache(maxsize=8)
def _cached(path: str) -> Lexicon:
    return _parse(Path(path))


def _parse(path: Path) -> Lexicon:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    raw_entries = data.get("entries", [])
    entries = tuple(
        Entry(
            code=e["code"],
            category=e["category"],
            prompt=e["prompt"],
            negatable=bool(e.get("negatable", False)),
            explainable=bool(e.get("explainable", False)),
            explained_by_with=bool(e.get("explained_by_with", False)),
            scoped=bool(e.get("scoped", False)),
        )
        for e in raw_entries
    )
    impact = data.get("impact", {})
    weak = "|".join(impact.get("weak_states", [])) or _NEVER
    strong = "|".join(impact.get("strong_states", [])) or _NEVER
    states = [
        s.replace("{weak_states}", weak).replace("{strong_states}", strong)
        for s in impact.get("child_states", [])
    ]
    voice = data.get("child_voice", {})
    rules = [rule for i, e in enumerate(raw_entries) for rule in _rules("phrase", e["patterns"], i)]
    rules += _rules("verb", voice.get("speech_verbs", []))
    rules += _rules("voice", voice.get("markers", []))
    impact_rules = _rules("marker", impact.get("markers", []))
    impact_rules += _rules("subjectless", impact.get("subjectless_states", []))
    impact_rules += _rules("consequence", impact.get("consequence_clauses", []))
    impact_rules += _rules("state", states)

    explanation = data.get("explanation", {})
    window = int(explanation.get("window_words", 4))
    markers = "|".join(explanation.get("markers", [r"\s*[:(]"]))
    with_markers = "|".join(explanation.get("with_markers", [_NEVER]))
    scope = data.get("scope", {})
    prepositions = "|".join(_pattern(p) for p in scope.get("prepositions", ["about"]))
    scope_window = int(scope.get("window_words", 8))
    acronyms = data.get("acronyms", {})
    people = data.get("people", {})
    adult_terms = _words(people.get("adult_terms", []))
    institutions = _words(people.get("institutions", []))
    quoted_states = [*impact.get("weak_states", []), *impact.get("strong_states", [])]
    return Lexicon(
        path=str(path),
        entries=entries,
        index=_index(rules),
        impact_index=_index(rules + impact_rules),
        negators=_words(data.get("negators", [])),
        negation_window=int(data.get("negation_window", 3)),
        explanation_re=re.compile(rf"(?:[\s,]*[\w'-]+){{0,{window}}}?(?:{markers})"),
        with_re=re.compile(rf"(?:{with_markers})"),
        scope_re=re.compile(
            rf"(?:[\s,]*[\w'-]+){{0,{scope_window}}}?\s+(?:{prepositions}):?\s+"
            r"(?P<object>[^.;,:()!?\n]+)"
        ),
        scope_stop_words=_words(scope.get("stop_words", [])),
        determiners=_words(scope.get("determiners", [])),
        generic_topics=_words(scope.get("generic_topics", [])),
        generic_objects=_words(scope.get("generic_objects", [])),
        acronym_prompt=acronyms.get("prompt", "Spell out '{acronym}' the first time you use it."),
        well_known_acronyms=frozenset(a.upper() for a in acronyms.get("well_known", [])),
        not_acronyms=frozenset(a.upper() for a in acronyms.get("not_acronyms", [])),
        impact_prompt=impact.get("prompt", "What does this mean for the child?"),
        quoted_state_re=re.compile(
            rf"(?<![a-z0-9_])(?:{'|'.join(_pattern(s) for s in quoted_states) or _NEVER})"
            r"(?![a-z0-9_])"
        ),
        voice_prompt=voice.get("prompt", "Where is the child's voice?"),
        adult_terms=adult_terms,
        institutions=institutions,
        child_terms=_words(people.get("child_terms", [])),
        female=_words(people.get("female", [])),
        male=_words(people.get("male", [])),
        plural=_words(people.get("plural", [])),
        titles=_words(people.get("titles", [])),
        not_names=_words(people.get("not_names", [])) | _words(people.get("titles", [])),
        name_verbs=_words(people.get("name_verbs", [])),
        prepositions=_words(people.get("prepositions", [])),
        people_words=adult_terms | _words(people.get("child_terms", [])) | _PRONOUN_WORDS,
        adult_roles=adult_terms - institutions - {"i", "we"},
    )


# --- the document model -------------------------------------------------------------------------

_FOLD = str.maketrans({**{c: c.lower() for c in ascii_uppercase}, "’": "'"})
_TOKEN_RE = re.compile(r"(?<![a-z0-9_])[a-z][a-z'-]*")
_BOUNDARY_RE = re.compile(r"[.!?]+(?=[\s\"'”’)]|$)|[;\n]")
_QUOTE_RES = (
    re.compile(r'"[^"\n]{1,600}?"'),
    re.compile(r"“[^”\n]{1,600}?”"),
    re.compile(r"‘[^‘\n]{1,600}?’(?![A-Za-z])"),
    re.compile(r"(?<![\w])'(?=\S)[^\n]{0,600}?(?<=\S)'(?![A-Za-z])"),
)
_NAME_RE = re.compile(r"(?<![A-Za-z0-9_'’-])([A-Z][a-z]+(?:-[A-Z][a-z]+)?)(['’]s|s['’])?(?![\w-])")
_ROLE_AFTER_RE = re.compile(r"\s*\(\s*([a-z-]+)\s*\)")
_ACRONYM_RE = re.compile(r"(?<![\w&])([A-Z](?:[A-Z]|&(?=[A-Z])){1,5})(?:s|['’]s)?(?![\w&])")
_WORD_RE = re.compile(r"[a-z][a-z'-]*")
_SUBJECT_PRONOUNS = {"he": "m", "she": "f", "they": "p"}
_SELF_PRONOUNS = frozenset({"i", "we"})
_PRONOUN_WORDS = frozenset(_SUBJECT_PRONOUNS) | _SELF_PRONOUNS
_CONTRACTIONS = ("'s", "'re", "'ve", "'d", "'ll", "'m")
_DETERMINERS = frozenset({"the", "a", "an", "his", "her", "their", "my", "our", "your"})
_PASSIVE = frozenset({"was", "were", "been", "being", "is", "are", "get", "got", "be"})
_NOT_SPOKEN_RE = re.compile(r"\s+(?:nothing|off)\b")  # "said nothing", "told off"


def _fold(text: str) -> str:
    """Lower-case ASCII letters and straighten apostrophes without changing the length."""
    low = text.lower().replace("’", "'")
    return low if len(low) == len(text) else text.translate(_FOLD)


@dataclass(frozen=True, slots=True)
class _Mention:
    """A reference to a person outside quotation marks."""

    start: int
    end: int
    sentence: int
    kind: str  # "adult", "child", "pronoun" or "self" (the writer: I, we)
    gender: str  # "f", "m", "p" (plural) or "u" (unknown)
    possessive: bool
    after_preposition: bool
    ungendered_role: bool  # teacher, officer, DSL: rarely what a later "she" or "he" means
    institution: bool


class _Document:
    """The analysed text, read once into sentences, quotations, rule hits and person mentions."""

    def __init__(self, text: str, lexicon: Lexicon, *, impact: bool = False) -> None:
        self.text = text
        self.low = _fold(text)  # same length: offsets are shared
        self.lex = lexicon
        self.quotes = self._find_quotes()
        self.quote_starts = [q[0] for q in self.quotes]
        bounds = [b for m in _BOUNDARY_RE.finditer(text) if (b := self._boundary(m)) is not None]
        self.sentence_starts = [0, *bounds]
        self.sentence_ends = [*bounds, len(text)]
        self.hits: dict[str, list[tuple[_Rule, re.Match[str]]]] = {}
        self.mentions = self._find_mentions(
            self._scan(lexicon.impact_index if impact else lexicon.index)
        )
        self.mention_starts = [m.start for m in self.mentions]

    # quotations, sentences, words

    def _find_quotes(self) -> list[tuple[int, int]]:
        spans = sorted(
            (m.start(), m.end()) for pattern in _QUOTE_RES for m in pattern.finditer(self.text)
        )
        kept: list[tuple[int, int]] = []
        for start, end in spans:
            if not kept or start >= kept[-1][1]:
                kept.append((start, end))
        return kept

    def _boundary(self, m: re.Match[str]) -> int | None:
        """Where a sentence ends: a full stop inside a quotation ends it only at the quote's end.

        "He said, 'I fell.' Nil concerns." is two sentences; "'Stop. Now,' she said" is one.
        """
        if m.group() == "\n":
            return m.end()
        i = bisect_right(self.quote_starts, m.start()) - 1
        if i < 0 or not self.quotes[i][0] <= m.start() < self.quotes[i][1]:
            return m.end()
        return self.quotes[i][1] if m.end() >= self.quotes[i][1] - 1 else None

    def in_quote(self, pos: int) -> bool:
        i = bisect_right(self.quote_starts, pos) - 1
        return i >= 0 and self.quotes[i][0] <= pos < self.quotes[i][1]

    def sentence_of(self, pos: int) -> int:
        return bisect_right(self.sentence_starts, pos) - 1

    def sentence_span(self, pos: int) -> tuple[int, int]:
        i = self.sentence_of(pos)
        return self.sentence_starts[i], self.sentence_ends[i]

    def _scan(self, index: _Index) -> list[tuple[int, int, str, bool, bool]]:
        """One pass over the words: rules that match at each word start, and people mentioned.

        Returns candidate mentions (start, end, base word, possessive, capitalised name?).
        """
        lex, low = self.lex, self.low
        people, by_prefix, by_word = lex.people_words, index.by_prefix.get, index.by_word.get
        found: list[tuple[_Rule, re.Match[str]]] = []
        candidates: list[tuple[int, int, str, bool, bool]] = []
        for m in _TOKEN_RE.finditer(low):
            token = m.group()
            # A closing quotation mark, or "parents'", does not change which rules apply.
            word = token.rstrip("'") if token[-1] == "'" else token
            rules = by_prefix(word[:_KEY]) if len(word) >= _KEY else by_word(word)
            if rules:
                start = m.start()
                for rule in rules:
                    if (hit := rule.pattern.match(low, start)) is not None:
                        found.append((rule, hit))
            if token in people:
                candidates.append((m.start(), m.end(), token, False, False))
            elif "'" in token:
                stem, _, suffix = token.partition("'")
                if stem in _PRONOUN_WORDS and f"'{suffix}" in _CONTRACTIONS:
                    candidates.append((m.start(), m.end(), stem, False, False))  # "he's"
                elif stem in people and suffix in {"s", ""}:
                    candidates.append((m.start(), m.end(), stem, True, False))  # "mum's"
        for rule in index.unindexed:
            found.extend((rule, hit) for hit in _find(rule.pattern, low))
        for rule, hit in found:
            self.hits.setdefault(rule.family, []).append((rule, hit))
        # Capitalised words that may be names: "Kai", "Kai's", "Ellie-Mae".
        for m in _NAME_RE.finditer(self.text):
            base = m.group(1).lower()
            if base not in people and base not in lex.not_names:
                candidates.append((m.start(), m.end(), base, m.group(2) is not None, True))
        candidates.sort()
        return candidates

    def found(self, family: str) -> list[tuple[_Rule, re.Match[str]]]:
        return self.hits.get(family, [])

    def previous_word(self, pos: int) -> str:
        """The lower-cased word just before `pos`, if only spaces separate them."""
        low = self.low
        i = pos - 1
        while i >= 0 and low[i] in " \t":
            i -= 1
        end = i + 1
        if end == pos:
            return ""
        while i >= 0 and low[i] in _TOKEN_CHARS:
            i -= 1
        return low[i + 1 : end]

    def _clause_initial(self, start: int) -> bool:
        s_start = self.sentence_starts[self.sentence_of(start)]
        before = self.text[max(s_start, start - 12) : start].rstrip()
        if not before and start - 12 > s_start:
            before = self.text[s_start:start].rstrip()
        return not before or before[-1] in ":–—-('\"‘“"

    # people

    def _find_mentions(
        self, candidates: Sequence[tuple[int, int, str, bool, bool]]
    ) -> list[_Mention]:
        lex = self.lex
        names = [c for c in candidates if c[4] and c[2] not in lex.not_names]
        initial = {c[0]: self._clause_initial(c[0]) for c in names}
        mid_sentence = {c[2] for c in names if not initial[c[0]]}
        adult_names = {c[2] for c in names if self._apposed_to_adult(c[0], c[1])}
        mentions = []
        for start, end, base, possessive, is_name in candidates:
            if self.in_quote(start):
                continue
            if is_name and (
                base in lex.not_names
                or (initial[start] and not self._is_name(end, base, possessive, mid_sentence))
            ):
                continue
            prev = self.previous_word(start)
            if prev in _DETERMINERS:
                prev = self.previous_word(start - len(prev) - 1)
            after_prep = prev in lex.prepositions
            sentence = self.sentence_of(start)
            if is_name:
                adult = base in adult_names or prev in lex.titles
                kind, gender, role, inst = ("adult" if adult else "child"), "u", False, False
            elif base in _SUBJECT_PRONOUNS:
                kind, gender, role, inst = "pronoun", _SUBJECT_PRONOUNS[base], False, False
            elif base in _SELF_PRONOUNS:
                kind, gender, role, inst = "self", "u", False, False
            else:
                kind = "child" if base in lex.child_terms else "adult"
                gender = (
                    "p"
                    if base in lex.plural
                    else "f"
                    if base in lex.female
                    else "m"
                    if base in lex.male
                    else "u"
                )
                role = kind == "adult" and gender == "u"
                inst = base in lex.institutions
            mentions.append(
                _Mention(start, end, sentence, kind, gender, possessive, after_prep, role, inst)
            )
        return mentions

    def _apposed_to_adult(self, start: int, end: int) -> bool:
        """'her partner, Dean,' / 'Dad (Lee)' / 'Kelly (mum)': this name belongs to an adult."""
        low, roles = self.low, self.lex.adult_roles
        i = start - 1
        while i >= 0 and low[i] == " ":
            i -= 1
        if i >= 0 and low[i] in ",(" and low[end : end + 3].lstrip()[:1] in {",", ")"}:
            j = i
            while j > 0 and low[j - 1] == " ":
                j -= 1
            k = j
            while k > 0 and low[k - 1] in _TOKEN_CHARS:
                k -= 1
            return low[k:j].removesuffix("'s") in roles
        m = _ROLE_AFTER_RE.match(low, end)
        return m is not None and m.group(1) in roles

    def _is_name(self, end: int, base: str, possessive: bool, mid_sentence: set[str]) -> bool:
        """Is a capitalised first word a name? Usually it just starts a sentence: ask for more."""
        after = self.low[end : end + 30]
        next_words = after.split(maxsplit=1)
        next_word = next_words[0].strip(",.;:") if next_words else ""
        return (
            possessive
            or re.match(r"\s*(?:\(|,\s*\d)", after) is not None
            or next_word in self.lex.name_verbs
            or base in mid_sentence
        )

    def _compatible(self, candidate: _Mention, gender: str) -> bool:
        if candidate.kind == "self" or candidate.institution:
            return gender == "p" and candidate.institution
        if gender == "p":
            return candidate.gender in {"p", "u"}
        return candidate.gender in {gender, "u"}

    def resolve(self, index: int) -> str:
        """Whether a pronoun refers to a child or an adult ("unknown" if no antecedent)."""
        pronoun = self.mentions[index]
        j = index - 1
        while j >= 0 and self.mentions[j].sentence == pronoun.sentence:
            candidate = self.mentions[j]
            if self._compatible(candidate, pronoun.gender):
                return self.resolve(j) if candidate.kind == "pronoun" else candidate.kind
            j -= 1
        # Earlier sentences: prefer their subject (the leftmost mention), and names, children or
        # gendered family members over ungendered roles such as "the teacher".
        sentence = pronoun.sentence - 1
        while j >= 0 and sentence >= pronoun.sentence - 4:
            group: list[int] = []
            while j >= 0 and self.mentions[j].sentence >= sentence:
                if self._compatible(self.mentions[j], pronoun.gender):
                    group.append(j)
                j -= 1
            if group:
                best = min(
                    reversed(group),
                    key=lambda k: (
                        self.mentions[k].ungendered_role or self.mentions[k].institution,
                        self.mentions[k].possessive,
                    ),
                )
                if self.mentions[best].kind == "pronoun":
                    return self.resolve(best)
                return self.mentions[best].kind
            sentence -= 1
        return "unknown"

    def subject_kind(self, pos: int, *, look_around: bool = True) -> str:
        """Who is the subject of the verb or state at `pos`: "child", "adult" or "unknown"."""
        sentence = self.sentence_of(pos)
        i = bisect_left(self.mention_starts, pos) - 1
        while i >= 0 and self.mentions[i].sentence == sentence:
            m = self.mentions[i]
            if m.possessive or m.after_preposition:
                i -= 1
                continue
            if m.kind == "self":
                if len(self.text[m.end : pos].split()) <= 2:
                    return "adult"
                i -= 1  # "Kai cried when I examined his ear and said": not "I said"
                continue
            return self.resolve(i) if m.kind == "pronoun" else m.kind
        if not look_around:
            return "unknown"
        # "'I'm cold,' said Ella": the subject follows the verb.
        j = bisect_left(self.mention_starts, pos)
        limit = min(self.sentence_ends[sentence], pos + 40)
        while j < len(self.mentions) and self.mentions[j].start < limit:
            m = self.mentions[j]
            if m.kind in {"child", "adult"} and not m.possessive:
                return m.kind
            j += 1
        # "Says he's fine.": an omitted subject is whoever the last sentences were about.
        k = bisect_left(self.mention_starts, self.sentence_starts[sentence]) - 1
        while k >= 0 and self.mentions[k].sentence >= sentence - 2:
            m = self.mentions[k]
            if m.kind in {"child", "adult"} and not m.ungendered_role and not m.institution:
                return m.kind
            if m.kind == "pronoun":
                return self.resolve(k)
            k -= 1
        return "unknown"

    # speech

    def speech_verbs(self) -> list[tuple[int, int, str]]:
        """Every reporting verb outside quotations, with the kind of its subject."""
        found: list[tuple[int, int, str]] = []
        for _, m in sorted(self.found("verb"), key=lambda hit: hit[1].start()):
            start = m.start()
            if self.in_quote(start):
                continue
            before = self.low[max(0, start - 30) : start].split()
            last = before[-1] if before else ""
            if last in _PASSIVE or last in {"not", "never"} or last.endswith("n't"):
                continue  # "was told", "did not say"
            if before[-2:-1] == ["refused"] or _NOT_SPOKEN_RE.match(self.low, m.end()):
                continue
            found.append((start, m.end(), self.subject_kind(start)))
        return found

    def quote_speaker(self, quote: tuple[int, int], verbs: Sequence[tuple[int, int, str]]) -> str:
        """Who spoke a quotation: the nearest reporting verb in its sentence, before or after."""
        start, end = quote
        s_start, s_end = self.sentence_span(start)
        before = [v for v in verbs if s_start <= v[0] and v[1] <= start]
        if before:
            return before[-1][2]
        after = [v for v in verbs if end <= v[0] < min(s_end, end + 60)]
        return after[0][2] if after else "unknown"


def _find(pattern: re.Pattern[str], text: str) -> Iterator[re.Match[str]]:
    """Matches of an unindexed pattern that start at a word boundary."""
    pos = 0
    while (m := pattern.search(text, pos)) is not None:
        start = m.start()
        if not start or text[start - 1] not in _WORD_CHARS:
            yield m
        pos = start + 1


# --- the checks --------------------------------------------------------------------------------


def _negated(doc: _Document, start: int) -> bool:
    """'not cluttered', 'no longer messy': a negator among the few words before, same clause."""
    s_start = doc.sentence_span(start)[0]
    window = re.split(r"[,;:(]", doc.low[max(s_start, start - 60) : start])[-1]
    words = _WORD_RE.findall(window)[-doc.lex.negation_window :]
    return any(w in doc.lex.negators or w.endswith("n't") for w in words)


def _explained(doc: _Document, entry: Entry, end: int) -> bool:
    """'cluttered: boxes to shoulder height' or 'adequate heating (radiators on)': unpacked."""
    s_end = doc.sentence_span(end)[1]
    if entry.explained_by_with and doc.lex.with_re.match(doc.low, end, s_end):
        return True
    return doc.lex.explanation_re.match(doc.low, end, s_end) is not None


def _scoped(doc: _Document, match: re.Match[str]) -> bool:
    """'no concerns about his weight' is specific; 'no concerns (about the children)' is not."""
    lex = doc.lex
    topic = match.groupdict().get("topic")
    if topic and topic not in lex.generic_topics:
        return True
    end = doc.sentence_span(match.end())[1]
    scope = lex.scope_re.match(doc.low, match.end(), end)
    if not scope:
        return False
    words: list[str] = []
    for raw in doc.text[scope.start("object") : scope.end("object")].split():
        if raw.lower() in lex.scope_stop_words:
            break
        words.append(raw)
    while words and words[0].lower() in lex.determiners:
        words.pop(0)
    if not words:
        return False
    if len(words) == 1 and words[0][0].isupper() and not words[0].endswith(("'s", "’s")):
        return False  # a bare name: "no concerns about Ella" names no aspect of her life
    meaningful = [w.lower() for w in words if not w.endswith(("'s", "’s"))]
    return any(w not in lex.generic_objects for w in meaningful)


def _in_childs_reported_speech(
    doc: _Document, start: int, verbs: Sequence[tuple[int, int, str]]
) -> bool:
    s_start = doc.sentence_span(start)[0]
    before = [v for v in verbs if s_start <= v[0] and v[1] <= start]
    return bool(before) and before[-1][2] == "child"


def _accept(
    doc: _Document, entry: Entry, m: re.Match[str], verbs: Sequence[tuple[int, int, str]]
) -> Flag | None:
    """The flag for a phrase match, unless a context rule excuses it."""
    start, end = m.span()
    phrase = doc.text[start:end]
    start += len(phrase) - len(phrase.lstrip())
    end -= len(phrase) - len(phrase.rstrip())
    if start >= end or doc.in_quote(start):
        return None
    if entry.negatable and _negated(doc, start):
        return None
    if entry.explainable and _explained(doc, entry, end):
        return None
    if entry.scoped and _scoped(doc, m):
        return None
    if _in_childs_reported_speech(doc, start, verbs):
        return None
    return Flag(entry.code, entry.category, doc.text[start:end], start, end, entry.prompt)


def _phrase_flags(doc: _Document, verbs: Sequence[tuple[int, int, str]]) -> list[Flag]:
    """Lexicon phrases in text order; where two overlap, the one starting first (then longest)."""
    entries = doc.lex.entries
    candidates = [
        flag
        for rule, m in doc.found("phrase")
        if (flag := _accept(doc, entries[rule.entry], m, verbs)) is not None
    ]
    candidates.sort(key=lambda f: (f.start, -(f.end - f.start)))
    kept: list[Flag] = []
    for flag in candidates:
        if not kept or flag.start >= kept[-1].end:
            kept.append(flag)
    return kept


def _shouting(text: str, matches: Sequence[re.Match[str]], index: int) -> bool:
    """Three or more capitalised words in a row ("DO NOT VISIT ALONE") are not acronyms."""
    first = last = index
    while first > 0 and text[matches[first - 1].end() : matches[first].start()].isspace():
        first -= 1
    while (
        last + 1 < len(matches) and text[matches[last].end() : matches[last + 1].start()].isspace()
    ):
        last += 1
    return last - first >= 2


def _acronym_flags(doc: _Document) -> list[Flag]:
    lex, text = doc.lex, doc.text
    defined: set[str] = set()
    flags: list[Flag] = []
    matches = list(_ACRONYM_RE.finditer(text))
    for index, m in enumerate(matches):
        token = m.group(1)
        upper = token.upper()
        if upper in lex.well_known_acronyms or upper in lex.not_acronyms:
            continue
        if _shouting(text, matches, index):
            continue
        if text[max(0, m.start() - 1) : m.start()] == "(" and text[m.end() : m.end() + 1] == ")":
            defined.add(upper)  # "Team Around the Family (TAF)"
            continue
        if re.match(r"\s*\(\s*[A-Za-z]|\s+(?:stands for|means)\b", text[m.end() : m.end() + 16]):
            defined.add(upper)  # "TAF (Team Around the Family)"
            continue
        if upper in defined or doc.in_quote(m.start()):
            continue
        flags.append(
            Flag(
                UNEXPLAINED_ACRONYM,
                "acronym",
                token,
                m.start(1),
                m.end(1),
                lex.acronym_prompt.replace("{acronym}", token),
            )
        )
    return flags


def _has_impact(doc: _Document, verbs: Sequence[tuple[int, int, str]]) -> bool:
    for family in ("marker", "subjectless"):
        if any(not doc.in_quote(m.start()) for _, m in doc.found(family)):
            return True
    # "..., so he is in class for phonics": the subject is inside the clause.
    for _, m in doc.found("consequence"):
        i = bisect_left(doc.mention_starts, m.start())
        if i < len(doc.mentions) and doc.mentions[i].start < m.end():
            mention = doc.mentions[i]
            kind = doc.resolve(i) if mention.kind == "pronoun" else mention.kind
            if kind == "child":
                return True
    for _, m in doc.found("state"):
        if not doc.in_quote(m.start()) and doc.subject_kind(m.start(), look_around=False) == (
            "child"
        ):
            return True
    # The child's own account of how it is for them ("I'm always hungry") is the best statement.
    return any(
        doc.quote_speaker(quote, verbs) == "child"
        and doc.lex.quoted_state_re.search(doc.low, quote[0], quote[1]) is not None
        for quote in doc.quotes
    )


def _has_child_voice(doc: _Document, verbs: Sequence[tuple[int, int, str]]) -> bool:
    if any(kind == "child" for _, _, kind in verbs):
        return True
    return any(not doc.in_quote(m.start()) for _, m in doc.found("voice"))


def analyse(
    text: str,
    *,
    expect_impact: bool = False,
    expect_child_voice: bool = False,
    lexicon: Lexicon | None = None,
) -> list[Flag]:
    """Advice on one free-text field: phrase flags in text order, then any missing-* flags.

    `expect_impact`: the text records a concern, so it should say what it means for the child.
    `expect_child_voice`: the child was seen, so their words (or drawing, signing) are expected.
    """
    lex = lexicon or load_lexicon()
    if not text.strip():
        return []
    doc = _Document(text, lex, impact=expect_impact)
    verbs = doc.speech_verbs()
    flags = sorted(_phrase_flags(doc, verbs) + _acronym_flags(doc), key=lambda f: f.start)
    if expect_impact and not _has_impact(doc, verbs):
        flags.append(Flag(MISSING_IMPACT, "missing-impact", "", 0, 0, lex.impact_prompt))
    if expect_child_voice and not _has_child_voice(doc, verbs):
        flags.append(Flag(MISSING_VOICE, "missing-voice", "", 0, 0, lex.voice_prompt))
    return flags
