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

  /** The locale's number symbols from the build (CLDR); null until set, or when the build had none. */
  var symbols = null;

  function useNumberSymbols(value) {
    symbols = value && Array.isArray(value.digits) && value.digits.length === 10 ? value : null;
  }

  /** Replaces {name} placeholders (numbers in the locale's notation); unknown ones stay visible so a
   * broken translation is noticed. */
  function format(template, values) {
    return String(template).replace(/\{(\w+)\}/g, function (match, name) {
      if (!Object.prototype.hasOwnProperty.call(values, name)) return match;
      var value = values[name];
      return typeof value === "number" ? number(value) : String(value);
    });
  }

  /** Splits the integer digits into groups: primary size from the end, then secondary (CLDR). */
  function groups(integer, primary, secondary) {
    if (integer.length <= primary) return [integer];
    var parts = [integer.slice(-primary)];
    var rest = integer.slice(0, -primary);
    while (rest.length > secondary) {
      parts.unshift(rest.slice(-secondary));
      rest = rest.slice(0, -secondary);
    }
    parts.unshift(rest);
    return parts;
  }

  function localDigits(text) {
    return text.replace(/[0-9]/g, function (digit) {
      return symbols.digits[Number(digit)];
    });
  }

  /** The browser's own formatting, for a locale the build had no data for. */
  function intlNumber(value) {
    var lang = root.document.documentElement.lang || undefined;
    try {
      return new Intl.NumberFormat(lang, { maximumFractionDigits: 2 }).format(value);
    } catch (error) {
      return String(value);
    }
  }

  /** A number in the course language's notation (at most two decimals). */
  function number(value) {
    if (!symbols || !isFinite(value)) return intlNumber(value);
    var parts = Math.abs(value).toFixed(2).split(".");
    var fraction = parts[1].replace(/0+$/, "");
    var integer = groups(parts[0], symbols.grouping[0], symbols.grouping[1]).join(symbols.group);
    var text = localDigits(integer) + (fraction ? symbols.decimal + localDigits(fraction) : "");
    return value < 0 && text !== localDigits("0") ? symbols.minus + text : text;
  }

  /** The learner's text answers: fill-in and numeric inputs, survey free text. */
  var TEXT_ANSWERS = 'input[data-role="answer"], [data-item] textarea';

  /**
   * Caps every text answer's maxlength at the format's limit (tracking.textLimit) before the learner types:
   * the page is the same for every format of a locale, so the package's standard decides here. A shorter
   * maxlength the page sets itself (a survey item's own) stays.
   */
  function limitText(scope, limit) {
    if (!(limit > 0)) return;
    all(scope, TEXT_ANSWERS).forEach(function (control) {
      if (!(control.maxLength > 0 && control.maxLength <= limit)) control.maxLength = limit;
    });
  }

  /** A text answer as it is recorded: trimmed and within its maxlength (a value set by script is not held to it). */
  function answerText(control) {
    var text = control.value.trim();
    return control.maxLength > 0 ? text.slice(0, control.maxLength) : text;
  }

  /** Moves focus to an element that may not be focusable by default (headings, result lines). */
  function focus(element) {
    if (!element) return;
    if (!element.hasAttribute("tabindex")) element.setAttribute("tabindex", "-1");
    element.focus();
  }

  cf.dom = { one: one, all: all, format: format, number: number, useNumberSymbols: useNumberSymbols, focus: focus,
             limitText: limitText, answerText: answerText };
})(window);
