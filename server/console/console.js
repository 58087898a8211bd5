// SealStack console: a hash-routed single page over the admin plane's read-only JSON
// (docs/admin-api.md). Every value is inserted as text (never as HTML). The only write is the
// policy simulator (POST /_sealstack/simulate), which changes nothing on the server.
'use strict';

const API = '/_sealstack/';
const main = document.getElementById('main');
const statusLine = document.getElementById('status');

// ---- DOM helpers ----------------------------------------------------------------------------
function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === 'class') el.className = v;
    else if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

function table(caption, headers, rows, id) {
  return h('table', { id },
    h('caption', {}, caption),
    h('thead', {}, h('tr', {}, headers.map((x) => h('th', { scope: 'col' }, x)))),
    h('tbody', {}, rows.length ? rows : [h('tr', {}, h('td', { colspan: headers.length, class: 'muted' }, 'None.'))]));
}

function facts(pairs) {
  return h('dl', { class: 'facts' }, pairs.flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v ?? '—')]));
}

function sev(s) { return h('span', { class: `sev sev-${s}` }, s); }
function mono(s) { return h('span', { class: 'mono' }, s ?? ''); }
function pretty(json) {
  if (json === null || json === undefined || json === '') return h('p', { class: 'muted' }, 'None.');
  let v = json;
  if (typeof json === 'string') { try { v = JSON.parse(json); } catch { return h('pre', {}, json); } }
  return h('pre', { tabindex: '0' }, JSON.stringify(v, null, 2));
}
function keyLink(arn) {
  if (!arn) return '—';
  return h('a', { href: `#/keys/${encodeURIComponent(arn)}`, class: 'mono' }, arn);
}
function bucketLink(name) { return h('a', { href: `#/buckets/${encodeURIComponent(name)}` }, name); }
function resourceLink(arn) {
  if (arn.startsWith('arn:aws:kms:')) return keyLink(arn);
  if (arn.startsWith('arn:aws:s3:::')) return bucketLink(arn.slice('arn:aws:s3:::'.length));
  if (arn.startsWith('arn:aws:glue:')) return h('a', { href: '#/glue', class: 'mono' }, arn);
  return mono(arn);
}
function state(s, usable) {
  return h('span', { class: usable === 'usable' || s === 'Enabled' ? 'state-ok' : 'state-bad' }, s);
}
function contextText(ctx) {
  const e = Object.entries(ctx || {});
  return e.length ? e.map(([k, v]) => `${k}=${v}`).join(', ') : '—';
}
function clientSide(cs) {
  if (!cs) return '—';
  return h('span', { class: 'client-side' },
    h('span', { class: 'badge' }, cs.format),
    cs.algorithm ? ` ${cs.algorithm}` : '',
    cs.wrap_algorithm ? ` (wrap ${cs.wrap_algorithm})` : '',
    (cs.kms_keys || []).length ? [' KMS key ', cs.kms_keys.map((k) => keyLink(k))] : '');
}

async function get(path, params) {
  const qs = params ? `?${new URLSearchParams(Object.entries(params).filter(([, v]) => v !== '' && v !== undefined))}` : '';
  const resp = await fetch(API + path + qs, { headers: { Accept: 'application/json' } });
  const text = await resp.text();
  if (!resp.ok) {
    let msg = text;
    try { const j = JSON.parse(text); msg = `${j.error}: ${j.message}`; } catch { /* plain text */ }
    throw new Error(`${resp.status} ${msg}`);
  }
  return text ? JSON.parse(text) : {};
}

let navigated = false;  // focus moves to the page on navigation, not on the first load
function render(title, ...content) {
  document.title = `${title} · SealStack console`;
  main.replaceChildren(h('h1', {}, title), ...content);
  statusLine.textContent = `${title} loaded`;
  if (navigated) main.focus({ preventScroll: true });
}

// ---- pages ----------------------------------------------------------------------------------
async function overview() {
  const r = await get('posture');
  const s = r.summary;
  const cards = h('ul', { class: 'cards', 'aria-label': 'Findings by severity' },
    ['critical', 'high', 'medium', 'low'].map((k) => h('li', {}, h('span', { class: 'n' }, s[k]), sev(k))),
    h('li', {}, h('span', { class: 'n' }, r.scanned.object_versions ?? 0), 'object versions scanned'),
    h('li', {}, h('span', { class: 'n' }, r.scanned.keys ?? 0), 'KMS keys'),
    h('li', {}, h('span', { class: 'n' }, r.scanned.buckets ?? 0), 'buckets'));
  const rows = r.findings.map((f) => h('tr', { 'data-rule': f.id },
    h('td', {}, sev(f.severity)),
    h('td', { class: 'rule' }, f.id),
    h('td', {}, resourceLink(f.resource)),
    h('td', {}, f.reason,
      Object.keys(f.counts).length ? h('div', { class: 'muted' },
        Object.entries(f.counts).map(([k, v]) => `${k}: ${v}`).join(', ')) : '',
      f.examples.length ? h('div', { class: 'muted' }, 'e.g. ', f.examples.join(', ')) : ''),
    h('td', {}, f.fix)));
  render('Encryption posture',
    h('p', { class: 'muted' }, `Generated ${r.generated_at} in ${r.elapsed_ms} ms. `,
      'The same report: ', mono('GET /_sealstack/posture'), ' or ', mono('sealstack posture --endpoint URL'), '.'),
    cards,
    table(`${s.total} finding(s), most severe first`, ['Severity', 'Rule', 'Resource', 'Why', 'Fix'], rows, 'findings'));
}

async function keys() {
  const r = await get('keys');
  const rows = r.keys.map((k) => h('tr', {},
    h('td', {}, keyLink(k.arn), k.description ? h('div', { class: 'muted' }, k.description) : ''),
    h('td', {}, k.aliases.join(', ') || '—'),
    h('td', {}, state(k.state, k.usable)),
    h('td', {}, k.spec),
    h('td', {}, k.manager),
    h('td', {}, k.rotation_enabled ? `every ${k.rotation_period_days} days` : 'off'),
    h('td', {}, k.deletion_date || '—')));
  render('KMS keys', table(`${r.keys.length} key(s)`, ['Key', 'Aliases', 'State', 'Spec', 'Manager', 'Rotation', 'Deletion date'], rows, 'keys'));
}

async function key(arn) {
  const [k, deps, audit] = await Promise.all([
    get(`keys/${encodeURIComponent(arn)}`),
    get(`keys/${encodeURIComponent(arn)}/dependents`),
    get('console/audit', { account: arn.split(':')[4], attribute: 'ResourceName', value: arn, limit: 100 })]);
  const c = deps.counts;
  const depRows = [
    ...deps.object_versions.map((o) => h('tr', {},
      h('td', {}, 'object version'),
      h('td', { class: 'mono' }, `s3://${o.bucket}/${o.key}`),
      h('td', { class: 'mono' }, o.version_id),
      h('td', {}, [o.layer.includes('server-side') ? `server-side ${o.mode}${o.bucket_key ? ' (bucket key)' : ''}` : '',
        o.client_side_format ? `client-side ${o.client_side_format}` : ''].filter(Boolean).join('; ')))),
    ...(deps.catalog_entries || []).map((e) => h('tr', {}, h('td', {}, `catalog ${e.kind}`), h('td', { class: 'mono' }, e.arn), h('td', {}, ''), h('td', {}, 'sealed under the key'))),
    ...(deps.catalog_settings || []).map((e) => h('tr', {}, h('td', {}, 'catalog settings'), h('td', { class: 'mono' }, e.arn), h('td', {}, ''), h('td', {}, e.fields.join(', ')))),
    ...(deps.glue_security_configurations || []).map((e) => h('tr', {}, h('td', {}, 'security configuration'), h('td', {}, e.name), h('td', {}, ''), h('td', {}, e.fields.join(', ')))),
    ...(deps.glue_jobs || []).map((e) => h('tr', {}, h('td', {}, 'Glue job'), h('td', { class: 'mono' }, e.arn), h('td', {}, ''), h('td', {}, `via ${e.security_configuration}`))),
    ...(deps.glue_run_logs || []).map((e) => h('tr', {}, h('td', {}, 'Glue run log'), h('td', {}, e.job_name), h('td', { class: 'mono' }, e.run_id), h('td', {}, 'sealed under the key (CloudWatchEncryption)'))),
    ...deps.grants.map((g) => h('tr', {}, h('td', {}, 'grant'), h('td', { class: 'mono' }, g.grantee), h('td', { class: 'mono' }, g.grant_id.slice(0, 16)), h('td', {}, g.operations.join(', '))))];
  const timeline = audit.events.map((e) => h('tr', {},
    h('td', { class: 'mono' }, e.eventTime),
    h('td', {}, e.eventName),
    h('td', { class: 'mono' }, e.userIdentity?.arn ?? e.userIdentity?.type ?? ''),
    h('td', {}, e.invokedBy || ''),
    h('td', {}, e.errorCode ? h('span', { class: 'state-bad' }, e.errorCode) : 'ok')));
  render(`Key ${k.id}`,
    facts([['ARN', mono(k.arn)], ['State', state(k.state, k.usable)], ['Aliases', k.aliases.join(', ') || '—'],
      ['Spec / usage', `${k.spec} / ${k.usage}`], ['Origin / manager', `${k.origin} / ${k.manager}`],
      ['Description', k.description || '—'], ['Created', k.created],
      ['Automatic rotation', k.rotation_enabled ? `every ${k.rotation_period_days} days, next ${k.next_rotation}` : 'off'],
      ['Deletion date', k.deletion_date || '—'], ['Imported material valid to', k.valid_to || '—']]),
    h('h2', {}, 'Dependents (what breaks if this key is unusable)'),
    h('p', { id: 'dependents-summary' }, `${c.object_versions} object version(s), ${c.client_side_objects} client-side encrypted object(s), ${c.catalog_entries} catalog entr(ies), ${c.glue_security_configurations} security configuration(s), ${c.glue_jobs} job(s), ${c.grants} grant(s)`,
      deps.truncated ? ' (list truncated)' : ''),
    table('Dependents', ['Kind', 'Name', 'Version / id', 'How'], depRows, 'dependents'),
    h('h2', {}, 'Key policy'), pretty(k.policy),
    h('h2', {}, 'Rotation history (material versions; never the material)'),
    table('Key material versions', ['Material id', 'Created', 'How', 'Current'],
      k.materials.map((m) => h('tr', {}, h('td', { class: 'mono' }, m.id.slice(0, 16) + '…'), h('td', {}, m.created), h('td', {}, m.rotation_type + (m.imported ? ' (imported)' : '')), h('td', {}, m.current ? 'yes' : '')))),
    h('h2', {}, 'Grants'),
    table('Grants', ['Grant id', 'Grantee', 'Operations', 'Constraints'],
      k.grants.map((g) => h('tr', {}, h('td', { class: 'mono' }, g.grant_id.slice(0, 16) + '…'), h('td', { class: 'mono' }, g.grantee), h('td', {}, g.operations.join(', ')),
        h('td', {}, g.encryption_context_equals ? `equals ${contextText(g.encryption_context_equals)}` : g.encryption_context_subset ? `subset ${contextText(g.encryption_context_subset)}` : h('span', { class: 'state-bad' }, 'none'))))),
    h('h2', {}, 'Usage timeline (audit trail, newest first)'),
    table(`${audit.events.length} event(s)${audit.more ? ' (more in the audit trail)' : ''}`, ['Time', 'Event', 'Principal', 'Via', 'Result'], timeline, 'timeline'));
}

async function buckets() {
  const r = await get('buckets');
  const rows = r.buckets.map((b) => {
    const e = b.default_encryption;
    const pab = Object.values(b.public_access_block).every(Boolean);
    return h('tr', {},
      h('td', {}, bucketLink(b.name)), h('td', {}, b.account),
      h('td', {}, e.mode, e.kms_master_key_id ? [' ', mono(e.kms_master_key_id)] : ''),
      h('td', {}, e.bucket_key_enabled ? 'on' : 'off'),
      h('td', {}, e.blocked_encryption_types.join(', ') || 'none'),
      h('td', {}, b.policy ? 'yes' : 'none'),
      h('td', {}, pab ? h('span', { class: 'state-ok' }, 'all on') : h('span', { class: 'state-bad' }, 'off')),
      h('td', {}, b.versioning));
  });
  render('S3 buckets', table(`${r.buckets.length} bucket(s)`, ['Bucket', 'Account', 'Default encryption', 'Bucket key', 'Blocked types', 'Policy', 'Block Public Access', 'Versioning'], rows, 'buckets'));
}

async function bucket(name, params) {
  const all = await get('buckets');
  const b = all.buckets.find((x) => x.name === name);
  if (!b) throw new Error(`404 no bucket ${name}`);
  const prefixInput = h('input', { id: 'prefix', name: 'prefix', value: params.get('prefix') || '' });
  const form = h('form', { class: 'filters', role: 'search', onsubmit: (ev) => {
    ev.preventDefault();
    location.hash = `#/buckets/${encodeURIComponent(name)}?prefix=${encodeURIComponent(prefixInput.value)}`;
  } }, h('label', { for: 'prefix' }, 'Key prefix', prefixInput), h('button', { type: 'submit' }, 'Filter'));
  const tbody = h('tbody', {});
  const more = h('button', { type: 'button', hidden: true }, 'Load more versions');
  let cursor = {};
  async function page() {
    const r = await get(`buckets/${encodeURIComponent(name)}/objects`, { prefix: prefixInput.value, ...cursor });
    for (const o of r.versions) {
      tbody.append(h('tr', { 'data-key': o.key },
        h('td', { class: 'mono' }, o.key),
        h('td', { class: 'mono' }, o.version_id, o.is_latest ? h('span', { class: 'muted' }, ' (latest)') : ''),
        h('td', {}, o.delete_marker ? 'delete marker' : o.mode, o.mode && o.mode !== r.default_mode ? h('div', { class: 'muted' }, `bucket default: ${r.default_mode}`) : ''),
        h('td', {}, o.kms_key_arn ? keyLink(o.kms_key_arn) : '—', o.bucket_key ? h('div', { class: 'muted' }, 'bucket key') : ''),
        h('td', { class: 'mono' }, contextText(o.encryption_context)),
        h('td', {}, clientSide(o.client_side)),
        h('td', {}, o.size)));
    }
    const last = r.versions[r.versions.length - 1];
    cursor = last ? { key_marker: last.key, after_seq: last.seq } : cursor;
    more.hidden = !r.truncated;
  }
  more.addEventListener('click', () => page().catch(showError));
  const e = b.default_encryption;
  render(`Bucket ${name}`,
    facts([['ARN', mono(b.arn)], ['Account / region', `${b.account} / ${b.region}`],
      ['Default encryption', [e.mode, e.kms_master_key_id ? [' with ', keyLink(e.kms_master_key_id)] : '']],
      ['Bucket key', e.bucket_key_enabled ? 'on' : 'off'], ['Blocked encryption types', e.blocked_encryption_types.join(', ') || 'none'],
      ['Block Public Access', Object.entries(b.public_access_block).map(([k, v]) => `${k}=${v}`).join(', ')],
      ['Versioning', b.versioning]]),
    h('h2', {}, 'Bucket policy'), pretty(b.policy),
    h('h2', {}, 'Objects and versions'), form,
    h('table', { id: 'objects' }, h('caption', {}, 'Object versions and how each is protected'),
      h('thead', {}, h('tr', {}, ['Key', 'Version', 'SSE mode', 'KMS key', 'Encryption context', 'Client-side layer', 'Size'].map((x) => h('th', { scope: 'col' }, x)))),
      tbody),
    more);
  await page();
}

async function glue() {
  const g = await get('glue');
  const doc = (x) => x.doc || {};
  const sc = (x) => {
    const ec = doc(x).EncryptionConfiguration || {};
    const s3 = (ec.S3Encryption || []).map((e) => `${e.S3EncryptionMode}${e.KmsKeyArn ? ` ${e.KmsKeyArn}` : ''}`).join('; ') || 'DISABLED';
    return [s3, ec.CloudWatchEncryption?.CloudWatchEncryptionMode || 'DISABLED', ec.JobBookmarksEncryption?.JobBookmarksEncryptionMode || 'DISABLED'];
  };
  render('Glue',
    table('Jobs', ['Job', 'Account / region', 'Role', 'Security configuration', 'Command'],
      (g.jobs || []).map((j) => { const d = doc(j).Job || {}; return h('tr', {}, h('td', {}, j.name), h('td', {}, `${j.account} / ${j.region}`), h('td', { class: 'mono' }, d.Role || ''), h('td', {}, d.SecurityConfiguration || h('span', { class: 'state-bad' }, 'none')), h('td', { class: 'mono' }, d.Command?.ScriptLocation || '')); }), 'glue-jobs'),
    table('Security configurations', ['Name', 'S3 encryption', 'CloudWatch', 'Job bookmarks'],
      (g.security_configurations || []).map((x) => h('tr', {}, h('td', {}, x.name), ...sc(x).map((v) => h('td', { class: 'mono' }, v)))), 'glue-secconfs'),
    table('Job runs', ['Run', 'Job', 'State', 'Started', 'Error'],
      (g.runs || []).map((r) => { const d = r.doc || {}; return h('tr', {}, h('td', { class: 'mono' }, r.name.slice(0, 24)), h('td', {}, d.JobName || r.parent), h('td', {}, d.JobRunState || ''), h('td', {}, d.StartedOn ? new Date(d.StartedOn * 1000).toISOString() : ''), h('td', {}, d.ErrorMessage || '')); }), 'glue-runs'),
    table('Data Catalog encryption settings', ['Account / region', 'At rest', 'Key', 'Connection passwords'],
      (g.catalog_settings || []).map((c) => { const d = doc(c); return h('tr', {}, h('td', {}, `${c.account} / ${c.region}`), h('td', {}, d.EncryptionAtRest?.CatalogEncryptionMode || 'DISABLED'), h('td', { class: 'mono' }, d.EncryptionAtRest?.SseAwsKmsKeyId || '—'), h('td', {}, d.ConnectionPasswordEncryption?.ReturnConnectionPasswordEncrypted ? 'encrypted' : 'not encrypted')); })),
    table('Catalog entries', ['Kind', 'Name', 'Sealed under'],
      [...(g.databases || []).map((e) => ['database', e]), ...(g.tables || []).map((e) => ['table', e]), ...(g.partitions || []).map((e) => ['partition', e]), ...(g.connections || []).map((e) => ['connection', e])]
        .map(([kind, e]) => h('tr', {}, h('td', {}, kind), h('td', {}, e.parent ? `${e.parent}/${e.name}` : e.name), h('td', {}, e.kms_key_arn ? keyLink(e.kms_key_arn) : (kind === 'connection' ? `server-local seal; password ${e.password}` : 'not encrypted'))))));
}

async function audit(params) {
  const fields = { account: params.get('account') || '000000000000', attribute: params.get('attribute') || '', value: params.get('value') || '' };
  const attr = h('select', { id: 'attribute', name: 'attribute' },
    ['', 'EventName', 'ResourceName', 'Username', 'EventSource', 'ResourceType', 'AccessKeyId', 'ReadOnly'].map((a) => h('option', { value: a, selected: a === fields.attribute }, a || '(any)')));
  const value = h('input', { id: 'value', name: 'value', value: fields.value });
  const account = h('input', { id: 'account', name: 'account', value: fields.account, inputmode: 'numeric' });
  const form = h('form', { class: 'filters', role: 'search', onsubmit: (ev) => {
    ev.preventDefault();
    location.hash = `#/audit?${new URLSearchParams({ account: account.value, attribute: attr.value, value: value.value })}`;
  } }, h('label', { for: 'account' }, 'Account', account), h('label', { for: 'attribute' }, 'Attribute', attr),
  h('label', { for: 'value' }, 'Value', value), h('button', { type: 'submit' }, 'Filter'));
  const r = await get('console/audit', { ...fields, limit: 200 });
  const rows = r.events.map((e) => h('tr', {},
    h('td', { class: 'mono' }, e.eventTime), h('td', {}, e.eventSource), h('td', {}, e.eventName),
    h('td', { class: 'mono' }, e.userIdentity?.arn ?? e.userIdentity?.type ?? ''),
    h('td', { class: 'mono' }, (e.resources || []).map((x) => x.ARN).join(', ')),
    h('td', {}, e.errorCode ? h('span', { class: 'state-bad' }, `${e.errorCode}`) : 'ok')));
  render('Audit trail', form, table(`${r.events.length} event(s), newest first${r.more ? ' (more: narrow the filter)' : ''}`, ['Time', 'Source', 'Event', 'Principal', 'Resources', 'Result'], rows, 'audit'));
}

function explain(d) {
  if (d.decided_by) {
    const s = d.decided_by;
    return h('span', { class: 'decided-by' }, `${s.policy_kind} ${s.policy_name}`,
      s.statement_index !== null && s.statement_index !== undefined ? ` statement ${s.statement_index}` : '',
      s.sid ? ` (Sid "${s.sid}")` : '');
  }
  return h('ul', {}, (d.closest || []).map((c) => h('li', {}, `${c.policy_kind} ${c.policy_name}${c.sid ? ` (Sid "${c.sid}")` : ''}: failed on ${c.failed}`)));
}

async function decisions(params) {
  const f = { principal: params.get('principal') || '', action: params.get('action') || '', result: params.get('result') || '' };
  const principal = h('input', { id: 'd-principal', value: f.principal, size: 40 });
  const action = h('input', { id: 'd-action', value: f.action });
  const result = h('select', { id: 'd-result' }, ['', 'allow', 'deny', 'explicit_deny', 'implicit_deny'].map((x) => h('option', { value: x, selected: x === f.result }, x || '(any)')));
  const filter = h('form', { class: 'filters', role: 'search', onsubmit: (ev) => {
    ev.preventDefault();
    location.hash = `#/decisions?${new URLSearchParams({ principal: principal.value, action: action.value, result: result.value })}`;
  } }, h('label', { for: 'd-principal' }, 'Principal ARN', principal), h('label', { for: 'd-action' }, 'Action', action),
  h('label', { for: 'd-result' }, 'Result', result), h('button', { type: 'submit' }, 'Filter'));
  const r = await get('decisions', { ...f, limit: 200 });
  const rows = r.decisions.map((d) => h('tr', { 'data-result': d.result },
    h('td', { class: 'mono' }, d.time), h('td', { class: 'mono' }, d.principal), h('td', {}, d.action),
    h('td', { class: 'mono' }, d.resource),
    h('td', {}, h('span', { class: d.result === 'allow' ? 'state-ok' : 'state-bad' }, d.result), d.enforced ? '' : ' (not enforced)'),
    h('td', {}, explain(d))));
  // The simulator: asks without making the call (POST /_sealstack/simulate changes nothing).
  const sp = h('input', { id: 's-principal', required: true, size: 60 });
  const sa = h('input', { id: 's-action', required: true, value: 'kms:Decrypt' });
  const sr = h('input', { id: 's-resource', required: true, size: 60 });
  const sc = h('textarea', { id: 's-context', rows: 3, cols: 60 }, '{}');
  const out = h('div', { id: 'simulate-result', 'aria-live': 'polite' });
  const sim = h('form', { class: 'stack', onsubmit: async (ev) => {
    ev.preventDefault();
    out.replaceChildren('Simulating…');
    try {
      const resp = await fetch(`${API}simulate`, { method: 'POST', headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ principal: sp.value, action: sa.value, resource: sr.value, context: JSON.parse(sc.value || '{}') }) });
      const d = await resp.json();
      if (!resp.ok) throw new Error(`${d.error}: ${d.message}`);
      out.replaceChildren(h('p', {}, h('strong', {}, d.result), ' — ', d.message || ''), explain(d));
    } catch (e) { out.replaceChildren(h('p', { class: 'error' }, String(e.message || e))); }
  } }, h('label', { for: 's-principal' }, 'Principal ARN', sp), h('label', { for: 's-action' }, 'Action', sa),
  h('label', { for: 's-resource' }, 'Resource ARN', sr), h('label', { for: 's-context' }, 'Context (JSON object)', sc),
  h('div', {}, h('button', { type: 'submit' }, 'Simulate')));
  render('Authorization decisions', filter,
    table(`${r.decisions.length} decision(s), newest first`, ['Time', 'Principal', 'Action', 'Resource', 'Result', 'Deciding statement / closest'], rows, 'decisions'),
    h('h2', {}, 'Simulate a request'), h('p', { class: 'muted' }, 'Evaluates the policies without making the call.'), sim, out);
}

// ---- routing --------------------------------------------------------------------------------
function showError(e) {
  main.replaceChildren(h('h1', {}, 'Could not load this page'), h('p', { class: 'error', role: 'alert' }, String(e.message || e)));
}

async function route() {
  const raw = location.hash.replace(/^#/, '') || '/';
  const [path, query] = raw.split('?');
  const params = new URLSearchParams(query || '');
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  for (const a of document.querySelectorAll('nav a')) {
    const target = a.getAttribute('href').slice(2).split('/')[0];
    if ((parts[0] || '') === target) a.setAttribute('aria-current', 'page'); else a.removeAttribute('aria-current');
  }
  try {
    if (parts.length === 0) await overview();
    else if (parts[0] === 'keys' && parts.length === 1) await keys();
    else if (parts[0] === 'keys') await key(parts.slice(1).join('/'));
    else if (parts[0] === 'buckets' && parts.length === 1) await buckets();
    else if (parts[0] === 'buckets') await bucket(parts[1], params);
    else if (parts[0] === 'glue') await glue();
    else if (parts[0] === 'audit') await audit(params);
    else if (parts[0] === 'decisions') await decisions(params);
    else throw new Error(`404 no page ${path}`);
  } catch (e) { showError(e); }
}

window.addEventListener('hashchange', () => { navigated = true; route(); });
route();
