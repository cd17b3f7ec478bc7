// The approver inbox: lists and decides parked calls through the approval API (/v1/approvals).
// Security: every value shown comes from agents or the gateway and is set with textContent, never
// parsed as HTML. The approver key lives in sessionStorage (this tab only) and travels only in the
// Authorization header of same-origin requests.
'use strict';

(() => {
  const KEY = 'portcullis.approverKey';
  const STATUSES = ['pending', 'approved', 'denied', 'expired', 'cancelled'];
  const $ = (id) => document.getElementById(id);
  let shown = null; // the approval request on screen, as the API last answered it

  // ---- JSON with numbers kept exactly as written ----
  // JSON.parse turns every number into a double, so 9007199254740993 would show (and, edited and
  // sent back, run) as 9007199254740992. Arguments are read and written here instead: a number whose
  // text a double does not reproduce keeps its text (an ExactNumber), and is written back as it came.

  class ExactNumber {
    constructor(text) {
      this.text = text;
    }
  }

  const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
  const STRING = /"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/y;

  // Parses JSON text; throws a SyntaxError naming the position of the first problem. A repeated
  // member name is refused, as the gateway refuses it.
  function parseJson(text) {
    let at = 0;
    const fail = (what) => {
      throw new SyntaxError(what + ' at position ' + at);
    };
    const space = () => {
      while (at < text.length && ' \t\n\r'.includes(text[at])) at++;
    };
    const token = (re) => {
      re.lastIndex = at;
      const m = re.exec(text);
      if (!m) return null;
      at += m[0].length;
      return m[0];
    };
    const value = (depth) => {
      if (depth > 64) fail('nesting too deep');
      space();
      const c = text[at];
      if (c === '{') {
        at++;
        const out = {};
        const names = new Set();
        space();
        if (text[at] === '}') {
          at++;
          return out;
        }
        for (;;) {
          space();
          const raw = token(STRING);
          if (raw === null) fail('expected a member name');
          const name = JSON.parse(raw);
          if (names.has(name)) fail('repeated member name ' + raw);
          names.add(name);
          space();
          if (text[at] !== ':') fail("expected ':'");
          at++;
          // defineProperty: a member named __proto__ stays a member
          Object.defineProperty(out, name, { value: value(depth + 1), enumerable: true, writable: true, configurable: true });
          space();
          if (text[at] === ',') {
            at++;
          } else if (text[at] === '}') {
            at++;
            return out;
          } else {
            fail("expected ',' or '}'");
          }
        }
      }
      if (c === '[') {
        at++;
        const out = [];
        space();
        if (text[at] === ']') {
          at++;
          return out;
        }
        for (;;) {
          out.push(value(depth + 1));
          space();
          if (text[at] === ',') {
            at++;
          } else if (text[at] === ']') {
            at++;
            return out;
          } else {
            fail("expected ',' or ']'");
          }
        }
      }
      if (c === '"') {
        const raw = token(STRING);
        if (raw === null) fail('bad string');
        return JSON.parse(raw);
      }
      for (const [word, v] of [['true', true], ['false', false], ['null', null]]) {
        if (text.startsWith(word, at)) {
          at += word.length;
          return v;
        }
      }
      const num = token(NUMBER);
      if (num === null) fail('unexpected ' + (at < text.length ? "'" + text[at] + "'" : 'end of text'));
      const n = Number(num);
      return Number.isFinite(n) && String(n) === num ? n : new ExactNumber(num);
    };
    const result = value(0);
    space();
    if (at < text.length) fail('unexpected text after the JSON value');
    return result;
  }

  // Writes a value as JSON, ExactNumbers as their text; indent as JSON.stringify's third argument.
  function writeJson(v, indent, prefix) {
    prefix = prefix || '';
    if (v instanceof ExactNumber) return v.text;
    if (v === null || typeof v !== 'object') return JSON.stringify(v === undefined ? null : v);
    const inner = prefix + (indent ? ' '.repeat(indent) : '');
    const nl = indent ? '\n' : '';
    const sep = indent ? ': ' : ':';
    const items = Array.isArray(v)
      ? v.map((x) => inner + writeJson(x, indent, inner))
      : Object.keys(v).map((k) => inner + JSON.stringify(k) + sep + writeJson(v[k], indent, inner));
    const [open, close] = Array.isArray(v) ? ['[', ']'] : ['{', '}'];
    return items.length ? open + nl + items.join(',' + nl) + nl + prefix + close : open + close;
  }

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
      init.body = writeJson(body);
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
      data = text ? parseJson(text) : null;
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
    $('arguments').textContent = writeJson(a.arguments, 2);
    $('original').hidden = !a.edited;
    $('original-arguments').textContent = a.edited ? writeJson(a.edited.originalArguments, 2) : '';
    $('decide').hidden = a.status !== 'pending';
    $('edit-arguments').value = writeJson(a.arguments, 2);
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
      edited = parseJson($('edit-arguments').value);
    } catch (e) {
      return outcome('The edited arguments are not valid JSON: ' + e.message, true);
    }
    if (edited === null || typeof edited !== 'object' || Array.isArray(edited) || edited instanceof ExactNumber) {
      return outcome('The edited arguments must be a JSON object.', true);
    }
    // argumentsDigest binds this approval to the arguments on screen, should another approver edit them.
    const body = { argumentsDigest: shown.argumentsDigest };
    if (writeJson(edited) !== writeJson(shown.arguments)) body.arguments = edited;
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
