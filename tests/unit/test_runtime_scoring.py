"""The runtime's course rules and SCORM 1.2 encodings without a browser, run in Node: the same files the
player ships (scoring.js, state.js, progress.js, scorm-api.js, scorm12.js), loaded into one plain context."""

from __future__ import annotations

import json
from typing import Any

from tests.unit.runtime_node import run_runtime

FILES = ("scoring.js", "state.js", "progress.js", "scorm-api.js", "scorm12.js")


def run(function: str) -> Any:
    return run_runtime(FILES, function)


def test_numbers_in_any_script_and_decimal_comma() -> None:
    texts = ["110", "١١٠", "۱۲٫۵", "3,5", " 42 ", "−3", "1e3", "12 rungs", ""]
    assert run(f"cf => {json.dumps(texts)}.map(t => {{ const v = cf.scoring.parseNumber(t); "
               "return Number.isNaN(v) ? null : v; })") == [110, 110, 12.5, 3.5, 42, -3, None, None, None]


POOL = """{passing: 80, attempts: 0, draw: 2, questions: [
  {id: "a", type: "true-false", answer: true, points: 1}, {id: "b", type: "true-false", answer: true, points: 2},
  {id: "c", type: "true-false", answer: true, points: 1}]}"""


def test_a_pool_keeps_its_best_score_to_two_decimals_across_a_relaunch() -> None:
    """Two decimals survive suspend_data (a whole percent stays 1-2 characters, as saved by earlier versions)."""
    result = run(f"""cf => {{
      const quiz = {POOL}, data = {{screens: [{{id: "q", kind: "quiz"}}], quizzes: {{q: quiz}}}};
      const shape = cf.state.layout(data), state = cf.state.fresh(shape), saved = state.quizzes[0];
      cf.scoring.recordAttempt(quiz, saved, cf.scoring.scoreAttempt(quiz, [0, 1], {{a: true, b: false}}));
      const text = cf.state.encode(state), back = cf.state.decode(text, shape).quizzes[0];
      const whole = cf.state.encode(Object.assign(cf.state.fresh(shape), {{
        quizzes: [{{attempts: 1, best: 100, correct: [true, true, true]}}]}}));
      return {{text, best: cf.scoring.bestPercent(quiz, back), whole,
               legacy: cf.state.decode("1~~1.2s.~~", shape).quizzes[0].best,
               worst: cf.state.encode(Object.assign(cf.state.fresh(shape), {{
                 quizzes: [{{attempts: 1, best: 99.99, correct: [true, true, true]}}]}})).split("~")[2]}};
    }}""")
    assert result["best"] == 33.33
    assert result["text"] == "1~~1.2kl.B~~"  # 3333 hundredths in base 36, exactly three characters
    assert result["whole"] == "1~~1.2s.H~~" and result["legacy"] == 100
    assert result["worst"] == "1.7pr.H"  # 9999: the longest, as model/suspend.py's worst case counts


COURSE = """{
  screens: [{id: "p", kind: "page"}, {id: "q", kind: "quiz"}],
  completion: {pages: "all", checklists: [], surveys: []},
  mastery: {score: 80, quizzes: ["q"]},
  quizzes: {q: {passing: 80, attempts: 2, questions: [
    {id: "a", type: "true-false", answer: true, points: 3}, {id: "b", type: "true-false", answer: true, points: 1}]}},
  checklists: {}, surveys: {}}"""


def test_the_result_is_final_only_when_the_learner_is_done() -> None:
    """final: passed and complete, or failed with no attempt left; never while attempts remain."""
    result = run(f"""cf => {{
      const data = {COURSE}, quiz = data.quizzes.q, shape = cf.state.layout(data);
      function after(answers, visited, lmsMastery) {{
        const state = cf.state.fresh(shape);
        state.visited = visited;
        answers.forEach(r => cf.scoring.recordAttempt(quiz, state.quizzes[0],
                                                      cf.scoring.scoreAttempt(quiz, [0, 1], r)));
        const result = cf.progress.evaluate(data, state, lmsMastery);
        return [result.success, result.final, result.score];
      }}
      return {{
        oneFailedTry: after([{{a: true}}], [true, true], null),
        bothFailed: after([{{a: true}}, {{b: true}}], [true, true], null),
        passedNotComplete: after([{{a: true, b: true}}], [true, false], null),
        passed: after([{{a: true, b: true}}], [true, true], null),
        lmsMastery70: after([{{a: true}}], [true, true], 70),
      }};
    }}""")
    assert result == {
        "oneFailedTry": ["unknown", False, 75],
        "bothFailed": ["failed", True, 75],
        "passedNotComplete": ["passed", False, 100],
        "passed": ["passed", True, 100],
        "lmsMastery70": ["passed", True, 75],
    }


def test_the_lms_mastery_score_becomes_the_passing_score_of_the_mastery_quizzes() -> None:
    result = run(f"""cf => {{
      const data = {COURSE};
      data.quizzes.other = {{passing: 90, questions: []}};
      cf.progress.applyLmsMastery(data, 70);
      const untouched = {COURSE};
      cf.progress.applyLmsMastery(untouched, null);
      return [data.mastery.score, data.quizzes.q.passing, data.quizzes.other.passing, untouched.quizzes.q.passing];
    }}""")
    assert result == [70, 70, 90, 80]


def test_every_accepted_fill_in_answer_is_a_pattern_within_255_characters() -> None:
    result = run("""cf => [
      cf.scorm12.correctPatterns("fill-in", {accepted: ["72", "72 Hours", "72 hours", "x".repeat(256), "y".repeat(255)],
                                             caseSensitive: false}).map(p => p.length > 10 ? p.length : p),
      cf.scorm12.correctPatterns("fill-in", {accepted: ["Paris", "paris"], caseSensitive: true}),
      cf.scorm12.correctPatterns("true-false", {answer: false}),
      cf.scorm12.correctPatterns("numeric", {min: 1, max: 2}),
    ]""")
    # Case-insensitive duplicates once; an answer over 255 is left out (a cut one would be a wrong key).
    assert result == [["72", "72 Hours", 255], ["Paris", "paris"], ["f"], []]


def test_progress_is_the_share_of_required_work_done_and_1_only_when_complete() -> None:
    """Screens to visit, required checklist items and listed surveys each count one step, in hundredths."""
    result = run("""cf => {
      const data = {
        screens: [{id: "a", kind: "page"}, {id: "b", kind: "page"}, {id: "c", kind: "checklist"},
                  {id: "s", kind: "survey"}],
        completion: {pages: "all", checklists: ["c"], surveys: ["s"]}, mastery: null, quizzes: {},
        checklists: {c: {items: [{id: "i1", required: true}, {id: "i2", required: false}, {id: "i3", required: true}]}},
        surveys: {s: {items: []}}};
      const shape = cf.state.layout(data);
      function progress(change) {
        const state = cf.state.fresh(shape);
        change(state);
        const result = cf.progress.evaluate(data, state, null);
        return [result.progress, result.completed];
      }
      const noPages = Object.assign({}, data, {completion: {pages: "none", checklists: [], surveys: []}});
      return {
        nothing: progress(() => {}),
        oneScreen: progress(s => { s.visited[0] = true; }),
        optionalItemOnly: progress(s => { s.visited[0] = true; s.checked[1] = true; }),
        allButSurvey: progress(s => { s.visited = s.visited.map(() => true); s.checked = [true, false, true]; }),
        done: progress(s => { s.visited = s.visited.map(() => true); s.checked = [true, false, true];
                              s.submitted[0] = true; }),
        nothingRequired: cf.progress.evaluate(noPages, cf.state.fresh(cf.state.layout(noPages)), null).progress,
      };
    }""")
    assert result == {"nothing": [0, False], "oneScreen": [0.14, False], "optionalItemOnly": [0.14, False],
                      "allButSurvey": [0.86, False], "done": [1, True], "nothingRequired": 1}
