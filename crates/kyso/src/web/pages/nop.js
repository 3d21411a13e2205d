// The clerk's upload page (/ui/nop), a little progressive enhancement: files can be dropped on
// the page, and each file is sent on its own so that its result shows as soon as it is checked.
// Without this script the form posts every file at once and the results come on one page.
"use strict";
(function () {
  var form = document.querySelector("form.upload");
  var input = document.getElementById("file");
  var zone = document.getElementById("tha-tep");
  var out = document.getElementById("ket-qua");
  if (!form || !input || !zone || !out || !window.fetch || !window.FormData) {
    return;
  }
  zone.hidden = false;

  function show(names) {
    zone.querySelector("span").textContent = names.length
      ? "Đã chọn: " + names.join(", ")
      : "Kéo thả tệp PDF vào đây, hoặc chọn tệp ở trên.";
  }
  zone.addEventListener("dragover", function (e) {
    e.preventDefault();
    zone.classList.add("over");
  });
  zone.addEventListener("dragleave", function () {
    zone.classList.remove("over");
  });
  zone.addEventListener("drop", function (e) {
    e.preventDefault();
    zone.classList.remove("over");
    if (e.dataTransfer && e.dataTransfer.files.length) {
      input.files = e.dataTransfer.files;
      show(Array.prototype.map.call(input.files, function (f) { return f.name; }));
    }
  });
  input.addEventListener("change", function () {
    show(Array.prototype.map.call(input.files, function (f) { return f.name; }));
  });

  function note(text, cls) {
    var p = document.createElement("p");
    p.className = cls;
    p.setAttribute("role", cls === "error" ? "alert" : "status");
    p.textContent = text;
    return p;
  }

  // One file: the server answers with its result page; its sections are moved here.
  function send(file, unit) {
    var data = new FormData();
    data.append("unit", unit);
    data.append("file", file, file.name);
    return fetch(form.action, { method: "POST", body: data, credentials: "same-origin" })
      .then(function (r) { return r.text(); })
      .then(function (html) {
        var doc = new DOMParser().parseFromString(html, "text/html");
        var parts = doc.querySelectorAll("main section.receipt, main p.error");
        if (!parts.length) {
          var h = doc.querySelector("main h1");
          var p = doc.querySelector("main p");
          out.appendChild(note(file.name + ": " + (h ? h.textContent : "") + " " + (p ? p.textContent : ""), "error"));
          return false;
        }
        parts.forEach(function (el) { out.appendChild(document.importNode(el, true)); });
        return doc.querySelector("main section.receipt") !== null;
      })
      .catch(function () {
        out.appendChild(note(file.name + ": không gửi được tệp (mất kết nối?). Hãy thử lại.", "error"));
        return false;
      });
  }

  form.addEventListener("submit", function (e) {
    var files = Array.prototype.slice.call(input.files);
    if (!files.length) {
      return;
    }
    e.preventDefault();
    var unit = form.querySelector("select[name=unit]").value;
    var button = form.querySelector("button");
    button.disabled = true;
    out.hidden = false;
    out.removeAttribute("data-xong");
    out.textContent = "";
    var title = document.createElement("h2");
    out.appendChild(title);
    var status = note("", "status");
    out.appendChild(status);
    var done = 0;
    var taken = 0;
    files.reduce(function (chain, file) {
      return chain.then(function () {
        status.textContent = "Đang kiểm tra tệp " + (done + 1) + "/" + files.length + ": " + file.name + "…";
        return send(file, unit).then(function (ok) {
          done += 1;
          if (ok) { taken += 1; }
        });
      });
    }, Promise.resolve()).then(function () {
      title.textContent = "Kết quả nộp (" + files.length + " tệp)";
      status.textContent = taken === done
        ? "Đã kiểm tra xong " + done + "/" + files.length + " tệp."
        : "Đã kiểm tra xong " + taken + "/" + files.length + " tệp; " + (done - taken) +
          " tệp không được nhận (xem lý do bên dưới).";
      out.setAttribute("data-xong", String(done));
      button.disabled = false;
      form.reset();
      show([]);
    });
  });
})();
