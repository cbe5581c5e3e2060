// Read-only status page: the token stays in this tab (sessionStorage) and is sent only as a Bearer header.
(function () {
  'use strict';
  const hash = new URLSearchParams(location.hash.slice(1));
  if (hash.get('token')) {
    sessionStorage.setItem('reseal-token', hash.get('token'));
    history.replaceState(null, '', location.pathname + location.search);
  }
  const el = (tag, text, cls) => {
    const node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (cls) node.className = cls;
    return node;
  };
  const row = (cells, tag) => {
    const tr = el('tr');
    cells.forEach(c => tr.appendChild(el(tag || 'td', c)));
    return tr;
  };
  function showLogin() {
    const form = document.getElementById('login');
    form.hidden = false;
    form.onsubmit = e => {
      e.preventDefault();
      sessionStorage.setItem('reseal-token', document.getElementById('token').value);
      form.hidden = true;
      load();
    };
  }
  function render(rotations) {
    const main = document.getElementById('rotations');
    main.replaceChildren();
    let behind = 0;
    rotations.forEach(r => {
      const section = el('section', null, 'rotation');
      section.appendChild(el('h2', r.rotationId));
      const facts = el('div', null, 'facts');
      facts.appendChild(el('span', 'workflow ' + r.workflow));
      facts.appendChild(el('span', 'stage ' + r.stage));
      if (r.trigger) facts.appendChild(el('span', 'trigger ' + r.trigger));
      section.appendChild(facts);
      const stages = el('div', null, 'stages');
      Object.entries(r.stages || {}).forEach(([name, at]) =>
        stages.appendChild(el('span', name + ' ' + at, 'stage ' + name)));
      section.appendChild(stages);
      if (r.error) section.appendChild(el('p', 'error: ' + r.error.stage + ': ' + r.error.message));
      (r.issuers || []).forEach(i => {
        const what = i.phase === 'finished'
          ? 'finished, current ' + i.current + (i.revoked ? ', revoked ' + i.revoked + ' at ' + i.revokedAt : '')
          : i.phase + ', new ' + i.pending + (i.current ? ', previous ' + i.current + ' valid until finish' : '');
        section.appendChild(el('p', 'issuer ' + i.issuer + ': ' + what + (i.note ? ': ' + i.note : ''),
          i.phase === 'finished' ? 'issuer' : 'issuer pending'));
      });
      const adoption = r.adoption;
      if (adoption && adoption.namespaces && adoption.namespaces.length) {
        const table = el('table');
        table.appendChild(row(['namespace', 'cluster', 'environment', 'state', 'since', 'message'], 'th'));
        adoption.namespaces.forEach(n => {
          const tr = row([n.namespace, n.cluster, n.environment || '-', n.state, n.since, n.message || '']);
          if (n.state !== 'rolled-out') {
            tr.className = n.state === 'decryption-failed' ? 'previous decryption-failed' : 'previous';
            tr.title = 'may still run the previous credential';
            behind++;
          }
          tr.dataset.namespace = n.namespace;
          table.appendChild(tr);
        });
        section.appendChild(table);
        if (adoption.complete) {
          const c = adoption.complete;
          section.appendChild(el('p', 'complete: ' + c.outcome + ' at ' + c.at
            + (c.laggards.length ? ', behind: ' + c.laggards.join(', ') : ''), 'complete'));
        }
      }
      main.appendChild(section);
    });
    document.getElementById('summary').textContent = rotations.length + ' rotation(s), '
      + behind + ' namespace(s) possibly on the previous credential';
    document.body.dataset.loaded = 'true';
  }
  function load() {
    const token = sessionStorage.getItem('reseal-token');
    if (!token) { showLogin(); return; }
    fetch('/api/v1/rotations', { headers: { 'Authorization': 'Bearer ' + token } })
      .then(response => {
        if (response.status === 401 || response.status === 403) {
          sessionStorage.removeItem('reseal-token');
          throw new Error('the token was refused (' + response.status + ')');
        }
        if (!response.ok) throw new Error('the API answered ' + response.status);
        return response.json();
      })
      .then(body => render(body.rotations))
      .catch(e => {
        const error = document.getElementById('error');
        error.hidden = false;
        error.textContent = e.message;
        showLogin();
      });
  }
  load();
}());
