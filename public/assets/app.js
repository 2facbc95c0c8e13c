// Progressive enhancement only: every page reads and verifies without this script.
(function () {
  'use strict';

  // Copy-link buttons: shown only when the Clipboard API can work.
  document.querySelectorAll('[data-copy]').forEach(function (button) {
    if (!navigator.clipboard) return;
    button.hidden = false;
    button.addEventListener('click', function () {
      var target = document.querySelector(button.getAttribute('data-copy'));
      if (!target) return;
      navigator.clipboard.writeText(target.value).then(function () {
        var label = button.textContent;
        button.textContent = button.getAttribute('data-copied');
        setTimeout(function () { button.textContent = label; }, 2500);
      });
    });
  });

  // Drag and drop a badge file onto the verification form.
  document.querySelectorAll('[data-dropzone]').forEach(function (zone) {
    var input = zone.querySelector('input[type="file"]');
    var hint = zone.querySelector('[data-drop-hint]');
    if (!input || typeof DataTransfer === 'undefined') return;
    if (hint) hint.hidden = false;
    ['dragenter', 'dragover'].forEach(function (type) {
      zone.addEventListener(type, function (event) { event.preventDefault(); zone.classList.add('dragging'); });
    });
    ['dragleave', 'drop'].forEach(function (type) {
      zone.addEventListener(type, function () { zone.classList.remove('dragging'); });
    });
    zone.addEventListener('drop', function (event) {
      event.preventDefault();
      if (!event.dataTransfer) return;
      if (event.dataTransfer.files.length === 0) {
        // A link or text dragged from another page goes in the box, and is verified like a pasted one.
        var box = zone.querySelector('textarea');
        var dropped = event.dataTransfer.getData('text/plain') || event.dataTransfer.getData('text/uri-list');
        if (!box || !dropped.trim()) return;
        box.value = dropped.trim();
        if (input.form) input.form.requestSubmit();
        return;
      }
      var transfer = new DataTransfer();
      transfer.items.add(event.dataTransfer.files[0]);
      input.files = transfer.files;
      if (input.form) input.form.requestSubmit();
    });
  });
  // Live preview of a badge image while its form is being edited.
  document.querySelectorAll('[data-badge-form]').forEach(function (form) {
    var image = document.querySelector('[data-preview-image]');
    if (!image) return;
    var pending;
    var chosen; // the artwork file picked but not yet saved, as a data: URL (the page's CSP allows data: images)
    var fileInput = form.querySelector('[data-artwork-input]');
    function artworkChecked() {
      var radio = form.querySelector('input[name="image"][value="artwork"]');
      return radio && radio.checked;
    }
    if (fileInput && typeof FileReader !== 'undefined') {
      fileInput.addEventListener('change', function () {
        chosen = undefined;
        var file = fileInput.files && fileInput.files[0];
        var radio = form.querySelector('input[name="image"][value="artwork"]');
        if (radio && file) radio.checked = true;
        if (!file) return refresh();
        var reader = new FileReader();
        reader.onload = function () { chosen = reader.result; refresh(); };
        reader.readAsDataURL(file);
      });
    }
    function refresh() {
      if (artworkChecked() && (chosen || image.getAttribute('data-artwork-src'))) {
        image.src = chosen || image.getAttribute('data-artwork-src');
        return;
      }
      var params = new URLSearchParams();
      form.querySelectorAll('[data-preview-field]').forEach(function (input) {
        params.set(input.getAttribute('data-preview-field'), input.value || '');
      });
      if (!params.get('title')) params.set('title', '…');
      image.src = '/console/badges/preview.svg?' + params.toString();
    }
    form.addEventListener('input', function () { clearTimeout(pending); pending = setTimeout(refresh, 250); });
    form.addEventListener('change', refresh);
  });
})();
