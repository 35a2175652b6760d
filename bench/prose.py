"""Seeded prose for the synthetic course: sentences, paragraphs, lists and tables that read like a real
workplace course (varied sentence lengths, a vocabulary of a few hundred words, inline emphasis, code
and links), so Markdown parsing and translation cost what they cost on real pages."""

from __future__ import annotations

import random
from collections.abc import Sequence


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


NOUNS = _words("""
hazard supervisor shift team report log record procedure policy site area floor corridor exit door alarm
extinguisher ladder scaffold platform vehicle forklift pallet load box crate shelf rack cabinet chemical
label sheet glove helmet boot goggle mask respirator harness lanyard guard barrier sign notice poster
training course module lesson quiz checklist survey manager colleague visitor contractor cleaner driver
operator engineer technician inspector auditor officer representative committee meeting review audit
risk assessment control measure method statement permit isolation lock tag key switch valve pipe cable
socket plug lead heater light lamp bulb fan vent duct filter pump motor belt chain hook sling rope
trolley cart wheel brake tyre engine battery charger fuel oil fat liquid gas vapour dust fume smoke fire
flame spark heat noise vibration radiation cold weather rain ice snow wind spill leak puddle floor surface
step stair handrail ramp lift window roof wall ceiling desk chair screen keyboard mouse cable tray
computer printer phone radio message email incident injury accident illness strain sprain cut burn bruise
fracture wound bandage kit station defibrillator stretcher responder ambulance hospital doctor nurse
first-aider record form entry number date time name signature witness statement photo evidence cause
action owner deadline target result trend figure chart schedule rota break rest hydration fatigue stress
workload posture back knee shoulder wrist hand finger eye ear skin lung breath voice
""")
VERBS = _words("""
check report record inspect clean store label wear fit adjust replace repair isolate lock test confirm
review update discuss explain show train supervise monitor measure assess control reduce remove avoid
prevent protect secure close open lift carry push pull lower move place stack sort collect dispose
recycle contact call alert warn escort evacuate gather count wait follow read sign return tell ask
""")
ADJECTIVES = _words("""
safe unsafe clear blocked damaged worn loose tight heavy light sharp hot cold wet dry slippery uneven
narrow wide high low noisy quiet bright dark busy empty full new old current approved required optional
correct wrong suitable unsuitable nearest local temporary permanent visible hidden minor serious urgent
routine regular annual monthly weekly daily careful quick short long simple complex written verbal
""")
ADVERBS = _words("always never carefully quickly regularly promptly calmly properly immediately clearly")
LINKERS = ("before", "after", "while", "because", "unless", "when", "until", "so that", "even if", "whenever")
OPENERS = ("In practice,", "As a rule,", "On most sites,", "For example,", "If in doubt,", "At the start of a shift,",
           "Every year,", "Where possible,", "In an emergency,", "During an audit,")
CODE_TERMS = ("PPE-01", "EN 397", "HSE-7", "LOTO", "ISO 45001", "ref: 14-B", "SOP-22", "COSHH", "form F2", "v2.3")
DOMAINS = ("https://www.hse.gov.uk/", "https://osha.europa.eu/en/", "https://www.iso.org/standard/",
           "https://example.com/safety/", "https://intranet.example.org/policies/")


class Prose:
    """One seeded source of text; the same seed writes the same words in the same order."""

    def __init__(self, rng: random.Random, link_targets: Sequence[str] = ()) -> None:
        self.rng = rng
        self.link_targets = tuple(link_targets)

    def word(self, words: Sequence[str]) -> str:
        return self.rng.choice(words)

    def phrase(self) -> str:
        """A noun phrase: 'the damaged ladder', 'a supervisor'."""
        article = self.rng.choice(("the", "a", "each", "every", "your", "the"))
        words = f"{self.word(ADJECTIVES)} {self.word(NOUNS)}" if self.rng.random() < 0.5 else self.word(NOUNS)
        if article == "a" and words[0] in "aeiou":
            article = "an"
        return f"{article} {words}"

    def clause(self) -> str:
        subject = self.rng.choice(("you", "supervisors", "we", "operators", "staff", "all visitors"))
        verb = self.word(VERBS)
        extra = f" {self.word(ADVERBS)}" if self.rng.random() < 0.3 else ""
        return f"{subject}{extra} {verb} {self.phrase()}"

    def sentence(self, inline: bool = True) -> str:
        """5 to 40 words; sometimes with emphasis, inline code or a link."""
        parts = [self.clause()]
        for _ in range(self.rng.choice((0, 0, 1, 1, 2))):
            parts.append(f"{self.rng.choice(LINKERS)} {self.clause()}")
        text = " ".join(parts)
        if self.rng.random() < 0.2:
            text = f"{self.rng.choice(OPENERS)} {text}"
        if inline:
            text = self.decorate(text)
        text = text[0].upper() + text[1:]
        return text + self.rng.choice((".", ".", ".", ".", "!", "?")) if text[-1] not in ".!?" else text

    def decorate(self, text: str) -> str:
        words = text.split(" ")
        roll = self.rng.random()
        if roll < 0.15 and len(words) > 3:
            at = self.rng.randrange(1, len(words))
            words[at] = f"**{words[at]}**"
        elif roll < 0.25 and len(words) > 3:
            at = self.rng.randrange(1, len(words))
            words[at] = f"*{words[at]}*"
        elif roll < 0.32:
            words.insert(self.rng.randrange(1, len(words)), f"`{self.rng.choice(CODE_TERMS)}`")
        elif roll < 0.40 and self.link_targets:
            words.append(f"(see [{self.phrase()}]({self.rng.choice(self.link_targets)}))")
        elif roll < 0.45:
            slug = self.word(NOUNS)
            words.append(f"([{slug} guidance]({self.rng.choice(DOMAINS)}{slug}))")
        return " ".join(words)

    def paragraph(self, sentences: int | None = None) -> str:
        count = sentences if sentences is not None else self.rng.randint(3, 7)
        return " ".join(self.sentence() for _ in range(count))

    def short(self, words: int = 4) -> str:
        """A short plain text (titles, table cells, choices): no inline Markdown."""
        text = " ".join(self.word(NOUNS if n % 2 else ADJECTIVES) for n in range(words))
        return text[0].upper() + text[1:]

    def bullet_list(self) -> str:
        return "\n".join(f"- {self.sentence()}" for _ in range(self.rng.randint(3, 6)))

    def numbered_list(self) -> str:
        return "\n".join(f"{n}. {self.sentence()}" for n in range(1, self.rng.randint(3, 6) + 1))

    def table(self) -> str:
        columns = self.rng.randint(3, 4)
        header = [self.short(2) for _ in range(columns)]
        rows = [[self.short(self.rng.randint(1, 3)) if c else self.word(NOUNS).capitalize() for c in range(columns)]
                for _ in range(self.rng.randint(3, 6))]
        lines = ["| " + " | ".join(header) + " |", "|" + "---|" * columns]
        lines += ["| " + " | ".join(row) + " |" for row in rows]
        return "\n".join(lines)
