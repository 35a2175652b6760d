"""The SCORM 2004 adapter's encodings without a browser, run in Node on the files the package ships (scoring.js,
scorm-api.js, scorm2004.js): durations, timestamps, the interaction types, responses and correct-response
patterns at their edges (the browser test proves scorm-again accepts what a learner produces)."""

from __future__ import annotations

from typing import Any

from tests.unit.runtime_node import run_runtime

FILES = ("scoring.js", "scorm-api.js", "scorm2004.js")


def run(function: str) -> Any:
    return run_runtime(FILES, function)


def test_durations_and_timestamps() -> None:
    assert run("""cf => [0, 10, 59999, 3723450, 90061005].map(cf.scorm2004.duration)
                   .concat([cf.scorm2004.timestamp(new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 678)))])""") == [
        "PT0S", "PT0.01S", "PT1M0S", "PT1H2M3.45S", "PT25H1M1.01S", "2024-01-02T03:04:05.67Z"]


def test_fill_in_outgrowing_250_characters_is_long_fill_in() -> None:
    assert run("""cf => [
      {type: "fill-in", question: {accepted: ["Paris"]}, response: "paris"},
      {type: "fill-in", question: {accepted: ["x".repeat(251)]}, response: "x"},
      {type: "fill-in", question: {accepted: ["Paris"]}, response: "y".repeat(251)},
      {type: "text", question: null, response: "short"},
    ].map(cf.scorm2004.typeOf)""") == ["fill-in", "long-fill-in", "long-fill-in", "long-fill-in"]


def test_accepted_answers_are_patterns_within_the_spm() -> None:
    result = run("""cf => {
      const record = (accepted, caseSensitive) => ({type: "fill-in", question: {accepted, caseSensitive}});
      const p = cf.scorm2004.correctPatterns;
      return [
        p(record(["a", "A", "b", "c", "d", "e", "f"], false), "fill-in"),
        p(record(["Paris", "paris"], true), "fill-in"),
        p(record(["Q".repeat(300), "q".repeat(300)], true), "long-fill-in").map(x => x.length),
        p(record(["x".repeat(251), "ok"], false), "fill-in"),
      ];
    }""")
    assert result == [["a", "b", "c", "d", "e"], ["{case_matters=true}Paris", "{case_matters=true}paris"], [300],
                      ["ok"]]


def test_numeric_keys_and_responses() -> None:
    result = run("""cf => {
      const key = question => cf.scorm2004.correctPatterns({type: "numeric", question}, "numeric");
      const said = text => cf.scorm2004.response({type: "numeric", question: {}, response: text}, "numeric");
      return [key({answer: 8}), key({min: 1.5, max: 3}), key({min: null, max: 10}), key({answer: 1e12}),
              said("0,5"), said("1e3"), said("٣"), said("0.1234567891")];
    }""")
    assert result == [["8"], ["1.5[:]3"], ["[:]10"], [None], "0.5", None, "3", "0.1234568"]


def test_learner_responses_by_id_in_2004_syntax() -> None:
    result = run("""cf => {
      const r = (type, question, response, as) => cf.scorm2004.response({type, question, response}, as || type);
      return [
        r("multiple", {choices: ["a", "b", "c"]}, ["c", "a"], "choice"),
        r("single", {choices: ["a", "b"]}, [], "choice"),
        r("true-false", {}, false),
        r("matching", {sources: ["dog", "cat"]}, {cat: "meow", dog: "woof"}),
        r("sequencing", {items: ["x", "y", "z"]}, {z: 1, x: 2}),
        r("likert", null, 2),
        r("text", null, "  {braces}\\r\\nsecond [,] line  ", "long-fill-in"),
        r("fill-in", {accepted: []}, "x".repeat(300), "fill-in").length,
      ];
    }""")
    assert result == ["a[,]c", None, "false", "dog[.]woof[,]cat[.]meow", "z[,]x", "3",
                      " {braces} second [ ,] line", 250]
