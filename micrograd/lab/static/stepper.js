  // The stepper's behaviour: the body of a function that stepper.html calls once per stepper, with uid (the id
  // of the stepper's root element) and data (its frames: for each step, the equation, the value to fill in
  // and its text, the values and edges it comes from, and other values it fills in) already set. Until it
  // runs, the stepper is a still picture of step 0.
  var here = document.currentScript;  // in JupyterLab the output may not be in the document yet
  var root = (here && here.closest(".mg-stepper")) || document.getElementById(uid);
  var sizer = root.querySelector(".mg-sizer"), picture = sizer.querySelector(".mg-picture");
  if (picture) {  // in a notebook the drawing comes as a picture (its SVG in a data: URI): draw it inline instead
    var base64 = /base64,([A-Za-z0-9+\/=]+)/.exec(picture.style.backgroundImage)[1];
    var bytes = Uint8Array.from(atob(base64), function (c) { return c.charCodeAt(0); });
    var svg = new DOMParser().parseFromString(new TextDecoder("utf-8").decode(bytes), "image/svg+xml");
    sizer.replaceChildren(document.importNode(svg.documentElement, true));
  }
  var last = data.frames.length - 1, current = 0;
  var slider = root.querySelector(".mg-slider"), eq = root.querySelector(".mg-eq");
  var counter = root.querySelector(".mg-counter");
  var prev = root.querySelector(".mg-prev"), next = root.querySelector(".mg-next");
  function drawn(id) {  // a value's box, and the copies of it drawn beside its later uses
    return root.querySelectorAll('.mg-sizer g[id="' + id + '"], .mg-sizer g[id^="' + id + 'c"]');
  }
  var gradTexts = {};
  data.nodes.forEach(function (id) {
    gradTexts[id] = Array.prototype.map.call(drawn(id), function (g) {
      var texts = g.querySelectorAll("text");
      var t = texts[texts.length - 1], cell = t.previousElementSibling;  // the grad: the last line of the box
      if (cell && cell.tagName === "polygon") {  // centre it in its cell, whatever the width of the number
        var box = cell.getBBox();
        t.setAttribute("x", box.x + box.width / 2);
        t.setAttribute("text-anchor", "middle");
      }
      return t;
    });
  });
  var frame = root.querySelector(".mg-frame");
  function mark(id, cls) {
    var found = id ? drawn(id) : [];
    Array.prototype.forEach.call(found, function (g) { g.classList.add(cls); });
    return found[0];
  }
  function reveal(g) {  // scroll the drawing, and only the drawing, to show g
    var c = frame.getBoundingClientRect(), r = g.getBoundingClientRect();
    if (r.left < c.left || r.right > c.right) frame.scrollLeft += (r.left + r.right - c.left - c.right) / 2;
    if (r.top < c.top || r.bottom > c.bottom) frame.scrollTop += (r.top + r.bottom - c.top - c.bottom) / 2;
  }
  function setGrad(id, text) { gradTexts[id].forEach(function (t) { t.textContent = text; }); }
  function show(k) {
    current = Math.max(0, Math.min(last, k));
    data.nodes.forEach(function (id) { setGrad(id, data.unknown); });
    for (var i = 0; i <= current; i++) {
      var fill = data.frames[i].fill || {};
      Object.keys(fill).forEach(function (id) { setGrad(id, fill[id]); });
      setGrad(data.frames[i].node, data.frames[i].text);
    }
    root.querySelectorAll(".mg-current, .mg-upstream, .mg-edge").forEach(function (g) {
      g.classList.remove("mg-current", "mg-upstream", "mg-edge");
    });
    var f = data.frames[current];
    var node = mark(f.node, "mg-current");
    (f.up || []).forEach(function (id) { mark(id, "mg-upstream"); });
    (f.edge || []).forEach(function (id) { mark(id, "mg-edge"); });
    if (current > 0) reveal(node);  // step 0 opens where the drawing starts: on the inputs
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
  root.querySelector(".mg-controls").style.display = "flex";
  root.querySelector(".mg-legend").style.display = "";
  root.querySelector(".mg-still").remove();
  show(0);
