// The session pages of the console, improved when scripts run: every action also works without this file
// (suggestions are applied by the server, the request list has a refresh link, the poster prints from the browser).
(function () {
  'use strict';

  // "Did you mean …@gmail.com?": applied in place, without a round trip; "Check again" then re-reads the list.
  document.querySelectorAll('[data-fix]').forEach(function (button) {
    button.addEventListener('click', function (event) {
      var input = document.getElementById(button.getAttribute('data-fix'));
      if (!input) return;
      event.preventDefault();
      input.value = button.getAttribute('data-fix-value');
      var suggestion = button.closest('[data-suggestion]');
      if (suggestion) suggestion.remove();
      input.focus();
    });
  });

  // The poster's print button (printing from the browser's menu works the same).
  document.querySelectorAll('[data-print]').forEach(function (button) {
    button.hidden = false;
    button.addEventListener('click', function () { window.print(); });
  });

  // The pending requests of a session, polled while the page is visible, so that participants' requests show
  // up during the workshop without reloading (which would lose a list being edited).
  var feed = document.querySelector('[data-claim-feed]');
  if (!feed || typeof fetch === 'undefined') return;
  var list = feed.querySelector('[data-claim-list]');
  var template = feed.querySelector('template[data-claim-actions]');
  var pendingText = feed.querySelector('[data-pending-text]');
  var approveAll = feed.querySelector('[data-approve-all]');
  var none = feed.querySelector('[data-no-requests]');
  var auto = feed.querySelector('[data-auto-refresh]');
  var session = feed.getAttribute('data-session');
  var last = null;
  if (auto) auto.hidden = false;

  function item(request) {
    var li = document.createElement('li');
    li.setAttribute('data-request', request.email);
    var name = document.createElement('strong');
    name.textContent = request.name;
    var email = document.createElement('span');
    email.className = 'muted break';
    email.textContent = request.email;
    var status = document.createElement('span');
    status.setAttribute('data-status', '');
    status.textContent = request.statusLabel;
    li.append(name, ' ', email, ' — ', status, ' ');
    if (request.status === 'pending' && template) {
      var actions = template.content.cloneNode(true);
      actions.querySelectorAll('form').forEach(function (form) {
        form.action = '/console/sessions/' + encodeURIComponent(session) + '/claims/' + encodeURIComponent(request.id);
      });
      li.append(actions);
    }
    return li;
  }

  function render(data) {
    if (pendingText && pendingText.textContent !== data.pendingText) pendingText.textContent = data.pendingText;
    if (approveAll) approveAll.hidden = data.pending === 0;
    if (none) none.hidden = data.requests.length > 0;
    list.replaceChildren.apply(list, data.requests.map(item));
  }

  function poll() {
    if (document.hidden) return;
    // Never pull the list from under someone about to click in it.
    if (list.contains(document.activeElement)) return;
    fetch(feed.getAttribute('data-claim-feed'), { credentials: 'same-origin', headers: { accept: 'application/json' } })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (text) {
        if (!text || text === last) return;
        last = text;
        render(JSON.parse(text));
      })
      .catch(function () { /* offline for a moment: the next poll tries again */ });
  }
  poll();
  setInterval(poll, 5000);
})();
