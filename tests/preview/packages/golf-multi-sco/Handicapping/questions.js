// The Handicapping quiz's questions, loaded by shared/assessmenttemplate.html?questions=Handicapping.
"use strict";
window.questions = {
  title: "Handicapping Quiz",
  items: [
    {text: "A handicap lets players of different skill compete fairly.", choices: ["True", "False"], answer: 0},
    {text: "A lower handicap means a", choices: ["weaker player", "stronger player"], answer: 1},
  ],
};
