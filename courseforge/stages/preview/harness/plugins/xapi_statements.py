"""Statements a package sent, judged twice: by @learninglocker/xapi-validation, an independent validator run
out of process (one node process per batch, statements as JSON on stdin), and by courseforge's own rules
for a Tin Can session (:func:`session_problems`): what an LRS accepts can still be a wrong record.

Shared by the xAPI and cmi5 preview plug-ins; nothing here imports Playwright or the harness server.
"""

from __future__ import annotations

import functools
import json
import shutil
import subprocess
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from courseforge.stages.preview.harness.runtime import (
    XAPI_VALIDATION,
    FoundFile,
    LmsRuntime,
    candidates,
    installed_version,
)
from courseforge.standards.xapi import PROGRESS_EXTENSION, RESULT_VERBS, Verb

"""Pinned like the harness's other node packages (package.json's devDependencies pin the same)."""

VALIDATE_SCRIPT = r"""
import { createRequire } from "node:module";
const require = createRequire(process.argv[1]);
const validate = require("@learninglocker/xapi-validation").default;
let input = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk) => { input += chunk; });
process.stdin.on("end", () => {
  const problems = [];
  JSON.parse(input).forEach((statement, index) => {
    for (const warning of validate(statement)) {
      problems.push({ index, path: (warning.path || []).join("."),
                      kind: warning.typeName || warning.constructor.name, data: JSON.stringify(warning.data) });
    }
  });
  process.stdout.write(JSON.stringify(problems));
});
"""

JsonObject = Mapping[str, Any]


class ValidatorMissing(Exception):
    """node or the pinned @learninglocker/xapi-validation is not installed; the message says where it looked."""


@dataclass(frozen=True)
class StatementProblem:
    """One thing wrong with one statement (``statement_id`` empty when it has none)."""

    code: str
    statement_id: str
    message: str

    def format(self) -> str:
        return f"{self.message} [{self.code}]" + (f" (statement {self.statement_id})" if self.statement_id else "")


@dataclass(frozen=True)
class StatementValidator:
    """@learninglocker/xapi-validation found on disk: ``node_modules`` holds it at the pinned version."""

    node: str
    node_modules: Path

    @classmethod
    def of(cls, found: FoundFile) -> StatementValidator:
        """The validator a run's LMS runtime found (``LmsRuntime.xapi_validation``), run by the node on PATH."""
        return cls(node_on_path(), found.node_modules)

    @classmethod
    def find(cls, explicit: Path | None = None, project_root: Path | None = None) -> StatementValidator:
        """Looked up where the harness finds scorm-again and axe-core (harness/runtime.py's folders)."""
        node = node_on_path()
        looked: list[str] = []
        for candidate in candidates(explicit, project_root):
            version = installed_version(candidate.node_modules, XAPI_VALIDATION)
            if version == XAPI_VALIDATION.version:
                return cls(node, candidate.node_modules)
            looked.append(f"  {candidate.origin}: {candidate.node_modules} ({version or 'not installed'})")
        raise ValidatorMissing(f"{XAPI_VALIDATION.spec} is not installed; looked in:\n" + "\n".join(looked)
                               + f"\nfix: npm install --save-exact {XAPI_VALIDATION.spec}")

    def validate(self, statements: Sequence[JsonObject], timeout: float = 60) -> tuple[StatementProblem, ...]:
        """Every warning the validator has for these statements, in one node process."""
        if not statements:
            return ()
        anchor = self.node_modules / XAPI_VALIDATION.name / "package.json"
        done = subprocess.run([self.node, "--input-type=module", "-e", VALIDATE_SCRIPT, str(anchor)],
                              input=json.dumps(list(statements)), capture_output=True, text=True, timeout=timeout,
                              check=False)
        if done.returncode != 0:
            raise RuntimeError(f"{XAPI_VALIDATION.name} failed: {done.stderr.strip()[-2000:]}")
        found: list[StatementProblem] = []
        for item in json.loads(done.stdout):
            statement = statements[int(item["index"])]
            found.append(StatementProblem(
                "xapi.statement-invalid", str(statement.get("id", "")),
                f"{XAPI_VALIDATION.name}: {item['path'] or 'statement'} is not a valid {item['kind']} "
                f"(value {item['data'][:200]})"))
        return tuple(found)


def node_on_path() -> str:
    node = shutil.which("node")
    if node is None:
        raise ValidatorMissing(f"node is not on PATH; statements cannot be checked by {XAPI_VALIDATION.name}")
    return node


@functools.cache
def validator_for(runtime: LmsRuntime | None = None) -> StatementValidator | str:
    """The validator of a run's LMS runtime (``runtime.xapi_validation``), else (no runtime: an observation
    judged outside a preview server) looked up as :meth:`StatementValidator.find` does; why it cannot run, as
    text, when it cannot. Once per runtime."""
    try:
        return StatementValidator.of(runtime.xapi_validation) if runtime is not None else StatementValidator.find()
    except ValidatorMissing as error:
        return str(error)


# ------------------------------------------------------------------------------------ our own rules


def verb_of(statement: JsonObject) -> str:
    verb = statement.get("verb")
    return str(verb.get("id", "")) if isinstance(verb, Mapping) else ""


def result_of(statement: JsonObject) -> JsonObject:
    result = statement.get("result")
    return result if isinstance(result, Mapping) else {}


def registration_of(statement: JsonObject) -> str:
    context = statement.get("context")
    return str(context.get("registration", "")) if isinstance(context, Mapping) else ""


def without(statement: JsonObject, *keys: str) -> str:
    return json.dumps({k: v for k, v in statement.items() if k not in keys}, sort_keys=True)


def identity_problems(sent: Sequence[JsonObject]) -> list[StatementProblem]:
    """Every statement has an id; an id sent again carries the same statement (a retry), never another; no
    two ids carry the same statement at the same moment (a statement created twice)."""
    problems: list[StatementProblem] = []
    by_id: dict[str, str] = {}
    for statement in sent:
        sid = str(statement.get("id", ""))
        if not sid:
            problems.append(StatementProblem("xapi.id-missing", "", f"a {verb_of(statement)} statement was sent "
                                             "without an id, so a retry would store it twice"))
            continue
        content = without(statement, "stored", "authority")
        if by_id.setdefault(sid, content) != content:
            problems.append(StatementProblem("xapi.id-reused", sid, "one id was sent with two different statements"))
    twins = Counter(without(json.loads(content), "id") for content in by_id.values())
    for content, times in twins.items():
        if times > 1:
            problems.append(StatementProblem("xapi.duplicate", "", f"the same {verb_of(json.loads(content))} "
                                             f"statement was created {times} times under different ids"))
    return problems


def sequence_problems(session: Sequence[JsonObject]) -> list[StatementProblem]:
    """One session's statements in the order made: initialized first, terminated last, each once."""
    if not session:
        return []
    verbs = [verb_of(s) for s in session]
    problems: list[StatementProblem] = []
    for verb in (Verb.INITIALIZED, Verb.TERMINATED):
        if verbs.count(verb) != 1:
            problems.append(StatementProblem("xapi.sequence", "", f"the launch sent {verbs.count(verb)} "
                                             f"{verb.name.lower()} statements; exactly one is right"))
    if verbs[0] != Verb.INITIALIZED:
        problems.append(StatementProblem("xapi.sequence", str(session[0].get("id", "")),
                                         f"the launch's first statement is {verbs[0] or 'without a verb'}, "
                                         "not initialized"))
    if verbs[-1] != Verb.TERMINATED and Verb.TERMINATED in verbs:
        problems.append(StatementProblem("xapi.sequence", str(session[-1].get("id", "")),
                                         "a statement came after terminated"))
    return problems


def result_problems(statement: JsonObject) -> list[StatementProblem]:
    """Score only on a final verdict, and then whole; success and completion that say what the verb says."""
    verb, result, sid = verb_of(statement), result_of(statement), str(statement.get("id", ""))
    problems: list[StatementProblem] = []

    def problem(message: str) -> None:
        problems.append(StatementProblem("xapi.result", sid, message))

    score = result.get("score")
    if verb in RESULT_VERBS:
        if not isinstance(score, Mapping) or not {"scaled", "raw", "min", "max"} <= set(score):
            problem(f"{Verb(verb).name.lower()} needs result.score with scaled, raw, min and max")
        elif not score["min"] <= score["raw"] <= score["max"] or score["min"] >= score["max"] or \
                abs(score["scaled"] - (score["raw"] - score["min"]) / (score["max"] - score["min"])) > 0.0001:
            problem(f"result.score {dict(score)} is not consistent (min < max, raw within, scaled = raw share)")
        if result.get("success") is not (verb == Verb.PASSED):
            problem(f"result.success must be {verb == Verb.PASSED} on {Verb(verb).name.lower()}")
        if "duration" not in result:
            problem("a verdict carries the session's duration")
    elif score is not None:
        problem(f"{verb.rsplit('/', 1)[-1]} carries a score; only passed and failed do (a score is not progress)")
    if verb == Verb.COMPLETED and result.get("completion") is not True:
        problem("completed needs result.completion true")
    progress = result.get("extensions", {}).get(PROGRESS_EXTENSION) if isinstance(result.get("extensions"),
                                                                                  Mapping) else None
    if progress is not None and not (isinstance(progress, int) and 0 <= progress <= 100):
        problem(f"the progress extension is {progress!r}; it is an integer percent 0..100")
    return problems


def verdict_problems(record: Sequence[JsonObject]) -> list[StatementProblem]:
    """Over a registration: completed once, passed once, failed at most once and never after passed."""
    problems: list[StatementProblem] = []
    verbs = [verb_of(s) for s in record]
    for verb in (Verb.COMPLETED, Verb.PASSED, Verb.FAILED):
        if verbs.count(verb) > 1:
            problems.append(StatementProblem("xapi.verdict", "", f"{verb.name.lower()} was sent "
                                             f"{verbs.count(verb)} times in one registration"))
    if Verb.PASSED in verbs and Verb.FAILED in verbs[verbs.index(Verb.PASSED):]:
        problems.append(StatementProblem("xapi.verdict", "", "failed was sent after passed"))
    return problems


def context_problems(statements: Sequence[JsonObject], actor: JsonObject, registration: str,
                     activity_id: str) -> list[StatementProblem]:
    """The launch's actor and registration on every statement; every object the course or under it."""
    problems: list[StatementProblem] = []
    for statement in statements:
        sid = str(statement.get("id", ""))
        if statement.get("actor") != actor:
            problems.append(StatementProblem("xapi.context", sid, "the actor is not the launch's"))
        if registration_of(statement) != registration:
            problems.append(StatementProblem("xapi.context", sid, "context.registration is not the launch's"))
        target = statement.get("object")
        object_id = str(target.get("id", "")) if isinstance(target, Mapping) else ""
        if object_id != activity_id and not object_id.startswith(activity_id + "/"):
            problems.append(StatementProblem("xapi.context", sid, f"object '{object_id}' is not the course "
                                             f"'{activity_id}' or an activity under it"))
    return problems


def in_made_order(statements: Sequence[JsonObject]) -> list[JsonObject]:
    """By the content's own timestamps (stable for equal ones): the LRS may store a statement later than
    its successors when its first send was refused and a later batch went through meanwhile."""
    return sorted(statements, key=lambda statement: str(statement.get("timestamp", "")))


def by_registration(statements: Sequence[JsonObject]) -> dict[str, list[JsonObject]]:
    """Statements by context.registration ("" for none), each list in the given order."""
    found: dict[str, list[JsonObject]] = {}
    for statement in statements:
        found.setdefault(registration_of(statement), []).append(statement)
    return found


def split_sessions(record: Sequence[JsonObject]) -> list[list[JsonObject]]:
    """A registration's statements as stored, cut at each initialized (what comes before the first is a
    session of its own: its initialized is missing, which the sequence rule reports)."""
    sessions: list[list[JsonObject]] = []
    for statement in record:
        if verb_of(statement) == Verb.INITIALIZED or not sessions:
            sessions.append([])
        sessions[-1].append(statement)
    return sessions


def session_problems(sent: Sequence[JsonObject], session: Sequence[JsonObject], record: Sequence[JsonObject],
                     *, actor: JsonObject, registration: str, activity_id: str) -> list[StatementProblem]:
    """Every rule: ``sent`` every statement the launch posted (retries included, in order), ``session`` the
    launch's statements as stored, ``record`` the whole registration's."""
    problems = identity_problems(sent)
    problems += sequence_problems(session)
    for statement in session:
        problems += result_problems(statement)
    problems += verdict_problems(record)
    problems += context_problems(session, actor, registration, activity_id)
    return problems
