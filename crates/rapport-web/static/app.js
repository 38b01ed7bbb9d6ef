// Rapport — progressive enhancement. Every page works without this script.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  function ready(fn) {
    if (document.readyState !== "loading") fn(); else document.addEventListener("DOMContentLoaded", fn);
  }

  function typing(e) {
    var t = e.target;
    return t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName));
  }

  ready(function () {
    // Selects that apply themselves (workspace switcher, role change).
    document.querySelectorAll("select[data-autosubmit]").forEach(function (s) {
      s.addEventListener("change", function () { s.form.requestSubmit ? s.form.requestSubmit() : s.form.submit(); });
    });

    // Destructive actions ask first and say what will happen.
    document.querySelectorAll("form[data-confirm]").forEach(function (f) {
      f.addEventListener("submit", function (e) {
        if (!window.confirm(f.getAttribute("data-confirm"))) e.preventDefault();
      });
    });

    // Moving a creator into do-not-contact asks first (without script, a page asks).
    document.querySelectorAll("form[data-confirm-dnc]").forEach(function (f) {
      f.addEventListener("submit", function (e) {
        var stage = f.elements.namedItem("stage");
        var confirmed = f.elements.namedItem("confirmed");
        if (!stage || stage.value !== "do_not_contact" || !confirmed) return;
        if (window.confirm(f.getAttribute("data-confirm-dnc"))) {
          confirmed.value = "yes";
        } else {
          e.preventDefault();
          Array.prototype.forEach.call(stage.options, function (o) { if (o.defaultSelected) stage.value = o.value; });
        }
      });
    });

    // A submit button shows it is busy, and a double click never posts twice.
    document.querySelectorAll("form").forEach(function (f) {
      if (f.method.toLowerCase() !== "post") return;
      f.addEventListener("submit", function (e) {
        if (e.defaultPrevented) return;
        if (f.dataset.submitted) { e.preventDefault(); return; }
        f.dataset.submitted = "1";
        f.querySelectorAll("button[type=submit], button:not([type])").forEach(function (b) {
          b.setAttribute("aria-busy", "true");
        });
      });
    });

    // Error summary gets focus so screen readers announce it.
    var summary = document.getElementById("error-summary");
    if (summary) summary.focus();

    // Toasts fade after a while; one saying why an action was refused stays.
    document.querySelectorAll(".toast:not(.toast-problem)").forEach(function (t) {
      setTimeout(function () { t.classList.add("is-hiding"); }, 5000);
      setTimeout(function () { t.remove(); }, 5600);
    });

    // Copy buttons for one-time secrets.
    // Playbook editor: re-render the preview (a server fragment) shortly after each edit.
    document.querySelectorAll("form[data-live-preview]").forEach(function (form) {
      var target = document.getElementById(form.getAttribute("data-preview-target"));
      var url = form.getAttribute("data-live-preview");
      var timer = null;
      var latest = 0;
      if (!target) return;
      function refresh() {
        var n = ++latest;
        fetch(url, { method: "POST", credentials: "same-origin", body: new URLSearchParams(new FormData(form)) })
          .then(function (r) { return r.ok ? r.text() : null; })
          .then(function (html) { if (html !== null && n === latest) target.innerHTML = html; })
          .catch(function () {});
      }
      function later(ms) { clearTimeout(timer); timer = setTimeout(refresh, ms); }
      form.addEventListener("input", function () { later(350); });
      form.addEventListener("change", function () { later(50); });
    });

    document.querySelectorAll("[data-copy]").forEach(function (b) {
      b.addEventListener("click", function () {
        var input = document.getElementById(b.getAttribute("data-copy"));
        input.select();
        if (navigator.clipboard) navigator.clipboard.writeText(input.value);
        b.textContent = "Copied";
      });
    });
    document.querySelectorAll("[data-select-on-focus]").forEach(function (i) {
      i.addEventListener("focus", function () { i.select(); });
    });

    // Rows open their record on click (the name link stays the accessible target).
    var rows = Array.prototype.slice.call(document.querySelectorAll("tr[data-href]"));
    rows.forEach(function (r) {
      r.addEventListener("click", function (e) {
        if (e.target.closest("a, button, input, select")) return;
        window.location = r.getAttribute("data-href");
      });
    });

    // The pipeline board: a card moves by posting its own Move form, whether it is
    // dropped on a column or sent to the next one with Shift+Arrow.
    var board = document.querySelector("[data-board]");
    function moveCard(card, stage) {
      var form = card.querySelector("form[data-move-form]");
      var select = form && form.elements.namedItem("stage");
      if (!select || !stage || select.value === stage) return;
      select.value = stage;
      if (form.requestSubmit) form.requestSubmit(); else form.submit();
    }
    if (board) {
      var columns = Array.prototype.slice.call(board.querySelectorAll("[data-stage]"));
      board.querySelectorAll("[data-card]").forEach(function (card) {
        if (!card.querySelector("form[data-move-form]")) return;
        card.setAttribute("draggable", "true");
        card.addEventListener("dragstart", function (e) {
          e.dataTransfer.setData("text/plain", card.getAttribute("data-card"));
          e.dataTransfer.effectAllowed = "move";
          card.classList.add("is-dragging");
        });
        card.addEventListener("dragend", function () { card.classList.remove("is-dragging"); });
      });
      columns.forEach(function (col) {
        col.addEventListener("dragover", function (e) { e.preventDefault(); col.classList.add("is-drop-target"); });
        col.addEventListener("dragleave", function () { col.classList.remove("is-drop-target"); });
        col.addEventListener("drop", function (e) {
          e.preventDefault();
          col.classList.remove("is-drop-target");
          var id = e.dataTransfer.getData("text/plain");
          var card = id && board.querySelector('[data-card="' + id.replace(/[^a-z0-9_]/gi, "") + '"]');
          if (card) moveCard(card, col.getAttribute("data-stage"));
        });
      });
      board.addEventListener("keydown", function (e) {
        if (!e.shiftKey || (e.key !== "ArrowLeft" && e.key !== "ArrowRight") || typing(e)) return;
        var card = e.target.closest("[data-card]");
        if (!card) return;
        var i = columns.indexOf(card.closest("[data-stage]")) + (e.key === "ArrowRight" ? 1 : -1);
        if (i < 0 || i >= columns.length) return;
        e.preventDefault();
        moveCard(card, columns[i].getAttribute("data-stage"));
      });
    }

    var help = document.getElementById("help-dialog");
    document.querySelectorAll("[data-open-help]").forEach(function (b) {
      b.addEventListener("click", function () { help.showModal(); });
    });

    var selected = -1;
    function select(i) {
      if (!rows.length) return;
      selected = Math.max(0, Math.min(rows.length - 1, i));
      rows.forEach(function (r, j) { r.classList.toggle("is-selected", j === selected); });
      rows[selected].scrollIntoView({ block: "nearest" });
      var link = rows[selected].querySelector("a");
      if (link) link.focus({ preventScroll: true });
    }

    document.addEventListener("keydown", function (e) {
      if (e.metaKey || e.ctrlKey || e.altKey || typing(e)) return;
      if (e.key === "/") {
        var s = document.querySelector("[data-search]");
        if (s) { e.preventDefault(); s.focus(); s.select(); }
      } else if (e.key === "?") {
        if (help) { e.preventDefault(); help.showModal(); }
      } else if (e.key === "j") {
        select(selected + 1);
      } else if (e.key === "k") {
        select(selected - 1);
      } else if (e.key === "c" || e.key === "e") {
        var a = document.querySelector('[data-shortcut="' + e.key + '"]');
        if (a) { e.preventDefault(); window.location = a.getAttribute("href"); }
      }
    });
  });
})();
