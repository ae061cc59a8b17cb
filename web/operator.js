// operator: the dashboard's part of a station on a line — who is testing (logged in until
// logged out), a retest confirmed before it runs, and each result's traceability and certificate.

import { ApiError, sendJSON } from './api.js';

const $ = (id) => document.getElementById(id);

// The operator box of the station bar, from /api/v1/status ("line").
export function showOperator(status) {
  const line = status?.line;
  const box = $('operator-box');
  if (!box || !line) return;
  // Shown only by a station that says where it stands on a line.
  box.hidden = false;
  const who = line.operator;
  $('op-form').hidden = Boolean(who);
  $('op-who').hidden = !who;
  $('op-out').hidden = !who;
  $('op-who').textContent = who ? `Operator: ${who}` : '';
  $('line-link').hidden = !line.database;
}

export function initOperator(refresh) {
  if (!$('operator-box')) return;
  $('op-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    const name = $('op-name').value.trim();
    if (!name) return;
    try {
      await sendJSON('POST', '/api/v1/operator', { operator: name });
      $('op-name').value = '';
    } catch (err) {
      window.alert(`Cannot log in: ${err.message}`);
    }
    await refresh();
  });
  $('op-out').addEventListener('click', async () => {
    await sendJSON('DELETE', '/api/v1/operator').catch(() => {});
    await refresh();
  });
}

// POST /api/v1/tests; a serial that passed before is tested again only once someone confirms.
export async function postTest(body) {
  try {
    return await sendJSON('POST', '/api/v1/tests', body);
  } catch (err) {
    if (!(err instanceof ApiError && err.status === 428 && err.body?.retest_required)) throw err;
    const p = err.body.passed || {};
    const ask = `Serial ${body.serial} already passed (test #${p.id}, ${p.started_at}).\n\nTest it again?`;
    if (!window.confirm(ask)) throw new Error(`not tested again: ${body.serial} already passed (test #${p.id})`);
    return sendJSON('POST', '/api/v1/tests', { ...body, retest: true });
  }
}

// Under the verdict: where, by whom, with what, and the certificate.
export function showTrace(r) {
  let p = $('trace');
  if (!p) {
    p = document.createElement('p');
    p.id = 'trace';
    p.className = 'hint trace';
    $('verdict').after(p);
  }
  p.textContent = '';
  if (!r || r.id == null) return;
  const bits = [
    r.station && `station ${r.station}${r.line ? ` (line ${r.line})` : ''}`,
    r.operator && `operator ${r.operator}`,
    r.software_version && `tonewire ${r.software_version}`,
    r.calibration ? `calibration #${r.calibration}` : 'uncalibrated jig',
    r.profile_sha256 && `profiles ${r.profile_sha256.slice(0, 12)}`,
  ].filter(Boolean);
  p.append(`${bits.join(' · ')} · `);
  const a = document.createElement('a');
  a.href = `/api/v1/tests/${r.id}/certificate`;
  a.target = '_blank';
  a.rel = 'noopener';
  a.textContent = 'Certificate';
  p.append(a);
}
