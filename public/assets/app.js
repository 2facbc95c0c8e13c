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
      if (!event.dataTransfer || event.dataTransfer.files.length === 0) return;
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
    function refresh() {
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
