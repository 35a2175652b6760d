/*
 * Small DOM and text helpers shared by the screen controllers. UI text always comes from the template's
 * cf-ui block; these only fill in its {name} placeholders.
 */
(function (root) {
  "use strict";

  var cf = (root.courseforge = root.courseforge || {});

  function one(scope, selector) {
    return scope.querySelector(selector);
  }

  function all(scope, selector) {
    return Array.prototype.slice.call(scope.querySelectorAll(selector));
  }

  /** Replaces {name} placeholders; unknown ones stay visible so a broken translation is noticed. */
  function format(template, values) {
    return String(template).replace(/\{(\w+)\}/g, function (match, name) {
      return Object.prototype.hasOwnProperty.call(values, name) ? String(values[name]) : match;
    });
  }

  /** A number in the course language's notation (at most two decimals). */
  function number(value) {
    var lang = root.document.documentElement.lang || undefined;
    try {
      return new Intl.NumberFormat(lang, { maximumFractionDigits: 2 }).format(value);
    } catch (error) {
      return String(value);
    }
  }

  /** Moves focus to an element that may not be focusable by default (headings, result lines). */
  function focus(element) {
    if (!element) return;
    if (!element.hasAttribute("tabindex")) element.setAttribute("tabindex", "-1");
    element.focus();
  }

  cf.dom = { one: one, all: all, format: format, number: number, focus: focus };
})(window);
