  // The quiz's behaviour: the body of a function that quiz.py's HTML calls once per quiz, with uid (the id of its
  // root element) and data (for each step: asked or given, the interval of right answers the engine computed,
  // the answer as shown, the hint and the worked equation) already set. It grades, reveals and keeps the score.
  var here = document.currentScript;
  var root = (here && here.closest(".mg-quiz")) || document.getElementById(uid);
  var number = new RegExp(data.number);
  var items = root.querySelectorAll(".mg-step");
  var score = root.querySelector(".mg-score");
  var state = data.questions.map(function () { return {tries: 0, done: false}; });
  function right(q, text) {
    if (q.interval === null) return text.trim() === q.shown;  // a NaN or an infinity: its text
    if (!number.test(text)) return false;
    var x = parseFloat(text);
    return q.interval[0] <= x && x <= q.interval[1];
  }
  function current() {  // the first question not yet answered right
    for (var i = 0; i < data.questions.length; i++) if (data.questions[i].asked && !state[i].done) return i;
    return -1;
  }
  function tally() {
    var asked = 0, first = 0, answered = 0;
    data.questions.forEach(function (q, i) {
      if (!q.asked) return;
      asked += 1;
      if (state[i].done) answered += 1;
      if (state[i].done && state[i].tries === 1) first += 1;
    });
    score.textContent = "score: " + first + " right at the first try, " + answered + " of " + asked + " answered";
  }
  function show(moveFocus) {  // every step up to the current question; the later ones wait
    var c = current();
    items.forEach(function (li, i) { li.style.display = c === -1 || i <= c ? "" : "none"; });
    // the focus follows an answer to the next question, but is never taken when the quiz appears (in a
    // notebook that would pull the page away from the cell being run)
    if (moveFocus && c !== -1) items[c].querySelector("input").focus();
    tally();
  }
  function check(i) {
    var li = items[i], q = data.questions[i], input = li.querySelector("input");
    var verdict = li.querySelector(".mg-verdict"), hint = li.querySelector(".mg-hint");
    if (state[i].done || input.value.trim() === "") return;
    state[i].tries += 1;
    if (right(q, input.value)) {
      state[i].done = true;
      li.classList.remove("mg-wrong");
      li.classList.add("mg-right");
      verdict.textContent = "right: " + q.shown;
      hint.textContent = q.equation;
      hint.style.display = "";
      input.disabled = true;
      li.querySelector(".mg-check").disabled = true;
      show(true);
    } else {
      li.classList.add("mg-wrong");
      verdict.textContent = "not quite: " + input.value.trim() + " (try " + (state[i].tries + 1) + ")";
      hint.textContent = "hint: " + q.hint;
      hint.style.display = "";
      input.select();
      tally();
    }
  }
  items.forEach(function (li, i) {
    if (!data.questions[i].asked) return;
    li.querySelector(".mg-answer").style.display = "";
    li.querySelector(".mg-check").addEventListener("click", function () { check(i); });
    li.querySelector("input").addEventListener("keydown", function (e) {
      if (e.key === "Enter") { check(i); e.preventDefault(); }
    });
  });
  score.style.display = "";
  root.querySelector(".mg-still").remove();
  show(false);
