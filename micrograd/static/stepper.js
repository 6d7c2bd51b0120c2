  // The stepper's behaviour: the body of a function that stepper.html calls once per stepper, with uid (the id
  // of the stepper's root element) and data (its frames: for each step, the equation, the value and edge to
  // colour and the grad to fill in) already set.
  var here = document.currentScript;  // in JupyterLab the output may not be in the document yet
  var root = (here && here.closest(".mg-stepper")) || document.getElementById(uid);
  var last = data.frames.length - 1, current = 0;
  var slider = root.querySelector(".mg-slider"), eq = root.querySelector(".mg-eq");
  var counter = root.querySelector(".mg-counter");
  var prev = root.querySelector(".mg-prev"), next = root.querySelector(".mg-next");
  function byId(id) { return root.querySelector('.mg-drawing g[id="' + id + '"]'); }
  var gradText = {};
  data.nodes.forEach(function (id) {
    var texts = byId(id).querySelectorAll("text");
    var t = texts[texts.length - 1], cell = t.previousElementSibling;  // the grad: the last cell of the record
    if (cell && cell.tagName === "polygon") {  // centre it in its cell, whatever the width of the number
      var box = cell.getBBox();
      t.setAttribute("x", box.x + box.width / 2);
      t.setAttribute("text-anchor", "middle");
    }
    gradText[id] = t;
  });
  var drawing = root.querySelector(".mg-drawing");
  function mark(id, cls) { var g = id && byId(id); if (g) g.classList.add(cls); return g; }
  function reveal(g) {  // scroll the drawing, and only the drawing, to show g
    var c = drawing.getBoundingClientRect(), r = g.getBoundingClientRect();
    if (r.left < c.left || r.right > c.right) drawing.scrollLeft += (r.left + r.right - c.left - c.right) / 2;
    if (r.top < c.top || r.bottom > c.bottom) drawing.scrollTop += (r.top + r.bottom - c.top - c.bottom) / 2;
  }
  function show(k) {
    current = Math.max(0, Math.min(last, k));
    data.nodes.forEach(function (id) { gradText[id].textContent = data.unknown; });
    for (var i = 0; i <= current; i++) gradText[data.frames[i].node].textContent = data.frames[i].grad;
    root.querySelectorAll(".mg-current, .mg-upstream, .mg-edge").forEach(function (g) {
      g.classList.remove("mg-current", "mg-upstream", "mg-edge");
    });
    var f = data.frames[current];
    var node = mark(f.node, "mg-current");
    mark(f.up, "mg-upstream");
    mark(f.edge, "mg-edge");
    reveal(node);
    eq.textContent = f.eq;
    counter.textContent = "step " + current + " of " + last;
    slider.value = current;
    prev.disabled = current === 0;
    next.disabled = current === last;
  }
  prev.addEventListener("click", function () { show(current - 1); });
  next.addEventListener("click", function () { show(current + 1); });
  slider.addEventListener("input", function () { show(parseInt(slider.value, 10)); });
  root.addEventListener("keydown", function (e) {
    if (e.key === "ArrowRight") { show(current + 1); e.preventDefault(); }
    if (e.key === "ArrowLeft") { show(current - 1); e.preventDefault(); }
  });
  show(0);
