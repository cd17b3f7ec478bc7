// The approver inbox: lists and decides parked calls through the approval API (/v1/approvals).
// Security: every value shown comes from agents or the gateway and is set with textContent, never
// parsed as HTML. The approver key lives in sessionStorage (this tab only) and travels only in the
// Authorization header of same-origin requests.
'use strict';

(() => {
  const KEY = 'portcullis.approverKey';
  const STATUSES = ['pending', 'approved', 'denied', 'expired'];
  const $ = (id) => document.getElementById(id);
  let shown = null; // the approval request on screen, as the API last answered it

  class ApiError extends Error {
    constructor(status, problem) {
      super(problem && typeof problem.detail === 'string' ? problem.detail : 'the gateway answered HTTP ' + status);
      this.status = status;
      this.type = problem && problem.type;
    }

    // The key is wrong, or no longer an approver's.
    get unauthorised() {
      return this.status === 401 || this.type === 'urn:portcullis:problem:not-an-approver';
    }
  }

  async function api(method, path, body) {
    const headers = { Accept: 'application/json', Authorization: 'Bearer ' + sessionStorage.getItem(KEY) };
    const init = { method, headers, cache: 'no-store', credentials: 'omit' };
    if (body !== undefined) {
      headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    let res;
    try {
      res = await fetch(path, init);
    } catch (e) {
      throw new ApiError(0, { detail: 'the gateway cannot be reached: ' + e.message });
    }
    const text = await res.text();
    let data = null;
    try {
      data = text ? JSON.parse(text) : null;
    } catch (e) {
      data = null;
    }
    if (!res.ok) {
      throw new ApiError(res.status, data);
    }
    return data;
  }

  // ---- small DOM helpers: text only ----

  function el(tag, className, text) {
    const e = document.createElement(tag);
    if (className) e.className = className;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }

  function show(sectionId) {
    for (const id of ['sign-in', 'list', 'detail']) $(id).hidden = id !== sectionId;
    $('sign-out').hidden = sectionId === 'sign-in';
  }

  function when(iso) {
    const d = new Date(iso);
    return Number.isNaN(d.getTime()) ? String(iso) : d.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'medium' });
  }

  function timeLeft(iso) {
    const ms = Date.parse(iso) - Date.now();
    if (Number.isNaN(ms)) return '';
    if (ms <= 0) return 'overdue';
    const min = Math.floor(ms / 60000);
    if (min < 1) return Math.ceil(ms / 1000) + ' s left';
    if (min < 60) return min + ' min left';
    return Math.floor(min / 60) + ' h ' + (min % 60) + ' min left';
  }

  // A deadline, with the time left while the request is pending (kept fresh by tick()).
  function deadline(a) {
    const span = el('span', null, when(a.deadline));
    if (a.status === 'pending') {
      const left = el('span', 'time-left', timeLeft(a.deadline));
      left.dataset.deadline = a.deadline;
      span.append(' ', left);
    }
    return span;
  }

  function tick() {
    for (const e of document.querySelectorAll('.time-left')) e.textContent = timeLeft(e.dataset.deadline);
  }

  function badge(status) {
    return el('span', 'badge ' + (STATUSES.includes(status) ? status : 'other'), status);
  }

  function user(a) {
    if (!a.user) return '—';
    return a.user.id + (a.user.verified ? ' (verified)' : ' (unverified)');
  }

  // ---- sign in and out ----

  function signIn(message) {
    show('sign-in');
    $('sign-in-error').textContent = message || '';
    $('key').focus();
  }

  async function onSignIn(event) {
    event.preventDefault();
    const value = $('key').value.trim();
    if (!value) return signIn('Paste your approver key first.');
    sessionStorage.setItem(KEY, value);
    try {
      await api('GET', '/v1/approvals?status=pending');
    } catch (e) {
      sessionStorage.removeItem(KEY);
      return signIn('Sign-in failed: ' + e.message);
    }
    $('key').value = '';
    route();
  }

  function signOut() {
    sessionStorage.removeItem(KEY);
    location.assign('/inbox');
  }

  // A refused key ends the session; any other error is shown where it happened.
  function failed(e, where) {
    if (e.unauthorised) {
      sessionStorage.removeItem(KEY);
      return signIn('Signed out: ' + e.message);
    }
    $(where).textContent = e.message;
  }

  // ---- the list ----

  async function renderList(status) {
    show('list');
    for (const tab of document.querySelectorAll('.tabs a')) {
      if (tab.dataset.status === status) tab.setAttribute('aria-current', 'page');
      else tab.removeAttribute('aria-current');
    }
    const body = $('requests').querySelector('tbody');
    body.replaceChildren();
    $('list-error').textContent = '';
    let approvals;
    try {
      approvals = (await api('GET', '/v1/approvals?status=' + encodeURIComponent(status))).approvals;
    } catch (e) {
      return failed(e, 'list-error');
    }
    for (const a of approvals) {
      const row = el('tr');
      const link = el('a', null, a.tool);
      link.href = '/inbox/approvals/' + encodeURIComponent(a.approvalId);
      const cells = [link, a.agent, user(a), a.tenant, when(a.createdAt), deadline(a), badge(a.status)];
      for (const c of cells) {
        const td = el('td');
        td.append(c);
        row.append(td);
      }
      body.append(row);
    }
    $('requests').hidden = approvals.length === 0;
    $('empty').hidden = approvals.length !== 0;
  }

  // ---- one request ----

  function fact(name, value) {
    if (value === undefined || value === null || value === '') return;
    $('facts').append(el('dt', null, name));
    const dd = el('dd');
    dd.append(value);
    $('facts').append(dd);
  }

  // Quorum: how many approvals the request needs and who has given theirs.
  function votes(a) {
    if (typeof a.required !== 'number') return null;
    const list = Array.isArray(a.votes) ? a.votes : [];
    const given = typeof a.approvals === 'number' ? a.approvals : list.length;
    const span = el('span', null, given + ' of ' + a.required + ' needed');
    if (list.length) {
      const ul = el('ul', 'votes');
      for (const v of list) {
        ul.append(el('li', null, v.approver + ', ' + when(v.at) + (v.reason ? ': ' + v.reason : '')
          + (v.counts === false ? ' (for earlier arguments)' : '')));
      }
      span.append(ul);
    }
    return span;
  }

  async function renderDetail(id) {
    show('detail');
    $('detail-error').textContent = '';
    try {
      shown = await api('GET', '/v1/approvals/' + encodeURIComponent(id));
    } catch (e) {
      shown = null;
      $('decide').hidden = true;
      return failed(e, 'detail-error');
    }
    const a = shown;
    document.title = a.tool + ' · Approvals · Portcullis';
    $('d-tool').textContent = a.tool;
    $('facts').replaceChildren();
    fact('Status', badge(a.status));
    fact('Tool', a.tool);
    fact('Agent', a.agent);
    fact('User', user(a));
    fact('Tenant', a.tenant);
    fact('Reasons', Array.isArray(a.reasons) ? a.reasons.join(', ') : null);
    fact('Decision', a.reason);
    fact('Created', when(a.createdAt));
    fact('Deadline', deadline(a));
    fact('Approvals', votes(a));
    fact('Decided by', a.decidedBy);
    fact('Decided at', a.decidedAt ? when(a.decidedAt) : null);
    fact('Decision reason', a.decisionReason);
    fact('Call', a.invocationId + ' (' + a.invocationState + ')');
    fact('Arguments edited', a.edited ? 'by ' + a.edited.by + ', ' + when(a.edited.at) : null);
    $('arguments').textContent = JSON.stringify(a.arguments, null, 2);
    $('original').hidden = !a.edited;
    $('original-arguments').textContent = a.edited ? JSON.stringify(a.edited.originalArguments, null, 2) : '';
    $('decide').hidden = a.status !== 'pending';
    $('edit-arguments').value = JSON.stringify(a.arguments, null, 2);
  }

  async function decide(action, body) {
    const buttons = document.querySelectorAll('#decide button');
    buttons.forEach((b) => { b.disabled = true; });
    try {
      const r = await api('POST', '/v1/approvals/' + encodeURIComponent(shown.approvalId) + ':' + action, body);
      let text;
      if (r.state === undefined) { // a quorum: this approval is one vote of several
        text = 'Your approval is recorded. ' + (r.detail || '');
      } else {
        text = (r.status === 'denied' ? 'Denied' : 'Approved') + ' by ' + r.decidedBy + '; the call is ' + r.state + '.';
        if (action === 'approve' && r.error && r.error.detail) text += ' ' + r.error.detail;
      }
      outcome(text, false);
    } catch (e) {
      if (e.unauthorised) return failed(e, 'outcome');
      outcome(e.message, true);
    } finally {
      buttons.forEach((b) => { b.disabled = false; });
    }
    await renderDetail(shown.approvalId);
  }

  function outcome(text, isError) {
    $('outcome').textContent = text;
    $('outcome').classList.toggle('error', isError);
  }

  function onApprove(event) {
    event.preventDefault();
    let edited;
    try {
      edited = JSON.parse($('edit-arguments').value);
    } catch (e) {
      return outcome('The edited arguments are not valid JSON: ' + e.message, true);
    }
    if (edited === null || typeof edited !== 'object' || Array.isArray(edited)) {
      return outcome('The edited arguments must be a JSON object.', true);
    }
    // argumentsDigest binds this approval to the arguments on screen, should another approver edit them.
    const body = { argumentsDigest: shown.argumentsDigest };
    if (JSON.stringify(edited) !== JSON.stringify(shown.arguments)) body.arguments = edited;
    const reason = $('approve-reason').value.trim();
    if (reason) body.reason = reason;
    return decide('approve', body);
  }

  function onDeny(event) {
    event.preventDefault();
    const reason = $('deny-reason').value.trim();
    if (!reason) {
      $('deny-reason').focus();
      return outcome('A denial needs a reason: say why, for the agent and the audit log.', true);
    }
    return decide('deny', { reason });
  }

  // ---- routing: /inbox?status=S or /inbox/approvals/{id} ----

  function route() {
    if (!sessionStorage.getItem(KEY)) return signIn('');
    const m = location.pathname.match(/^\/inbox\/approvals\/([^/]+)$/);
    if (m) return renderDetail(decodeURIComponent(m[1]));
    const status = new URLSearchParams(location.search).get('status');
    return renderList(STATUSES.includes(status) ? status : 'pending');
  }

  $('sign-in-form').addEventListener('submit', onSignIn);
  $('sign-out').addEventListener('click', signOut);
  $('approve-form').addEventListener('submit', onApprove);
  $('deny-form').addEventListener('submit', onDeny);
  setInterval(tick, 15000);
  route();
})();
