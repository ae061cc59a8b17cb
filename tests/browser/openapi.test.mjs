// The referee the mock station is held to (openapi.mjs) must be able to say no: answers
// with a missing or undocumented key, a wrong type or enum, a status or route the API
// does not have, or a wrong event, are each refused; the station's documented examples pass.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Api } from './openapi.mjs';

const api = new Api();
const schemaOf = (method, path, status) => {
  const r = api.responseSchema(method, path, status);
  assert.ok(!r.error, r.error);
  return r.schema;
};

describe('the API referee of the mock station', () => {
  it('finds operations by their templates, literal paths first', () => {
    assert.equal(api.operation('GET', '/api/v1/tests').template, '/api/v1/tests');
    assert.equal(api.operation('GET', '/api/v1/tests/12').template, '/api/v1/tests/{id}');
    assert.equal(api.operation('GET', '/api/v1/tests/12/capture.wav').template, '/api/v1/tests/{id}/capture.wav');
    assert.equal(api.operation('PATCH', '/api/v1/tests'), null);
    assert.equal(api.operation('GET', '/api/v1/nothing'), null);
  });

  it('refuses a status the route does not give, and a content type it does not document', () => {
    assert.match(api.responseSchema('POST', '/api/v1/tests', 418).error, /418 is not one the API gives/);
    assert.match(api.responseSchema('GET', '/api/v1/status', 200, 'text/csv').error, /text\/csv is not documented/);
    assert.ok(!api.responseSchema('GET', '/api/v1/tests', 200, 'text/csv').error, 'the history as CSV is documented');
    assert.match(api.responseSchema('GET', '/api/v1/nothing', 200).error, /no such operation/);
  });

  it('refuses answers of the wrong shape', () => {
    const accepted = schemaOf('POST', '/api/v1/tests', 202);
    assert.deepEqual(api.validate(accepted, { id: 1, state: 'queued', position: 1, location: '/api/v1/tests/1' }), []);
    assert.match(api.validate(accepted, { id: 1, state: 'measuring' }).join(), /required "location" is missing/);
    assert.match(api.validate(accepted, { id: 1, state: 'waiting', location: '/x' }).join(), /"waiting" is not one of/);
    assert.match(api.validate(accepted, { id: '1', state: 'measuring', location: '/x' }).join(), /expected integer, got string/);
    assert.match(api.validate(accepted, { id: 1, state: 'queued', position: 0, location: '/x' }).join(), /below 1/);
    assert.match(api.validate(accepted, { id: 1, state: 'measuring', location: '/x', eta: 3 }).join(), /"eta" is not in the API's description/);
    const stats = schemaOf('GET', '/api/v1/stats', 200);
    assert.match(api.validate(stats, { tests: 1 }).join(), /required "pass" is missing/);
    const status = schemaOf('GET', '/api/v1/status', 200);
    assert.match(api.validate(status, { state: 'idle' }).join(), /required "connected" is missing/);
  });

  it('checks nested objects, nullable values, allOf and oneOf', () => {
    const result = schemaOf('GET', '/api/v1/tests/{id}'.replace('{id}', '1'), 200);
    const good = {
      id: 1, serial: null, cable: 'c', jig: 'j', started_at: '2026-11-22T10:00:00Z', verdict: 'pass', faults: [], wiring: [],
      channels: [{ name: 'L', level_db: 0, phase_deg: 0, polarity: 'normal', crosstalk_db: -90, snr_db: 80, mono_ratio_db: 0, found_at: 'R' }],
      matrix: {}, timing_ms: { total: 1, acquire: 1, analyze: 0 }, calibration: null,
    };
    assert.deepEqual(api.validate(result, good), []);
    assert.match(api.validate(result, { ...good, verdict: null }).join(), /\$\.verdict: null is not allowed/);
    assert.match(api.validate(result, { ...good, channels: [{ ...good.channels[0], polarity: 'flipped' }] }).join(), /\$\.channels\[0\]\.polarity/);
    assert.match(api.validate(result, { ...good, started_at: 'yesterday' }).join(), /not a date-time/);
    const flex = schemaOf('GET', '/api/v1/flex', 200);   // oneOf: in progress, or the last result
    assert.deepEqual(api.validate(flex, { id: 2, kind: 'flex', state: 'flexing', seconds: 10, elapsed_s: 1, flex: { count: 0, worst_ms: 0, events: [], events_dropped: 0 } }), []);
    assert.deepEqual(api.validate(flex, { ...good, kind: 'flex', state: 'done' }), []);
    assert.match(api.validate(flex, { id: 2, state: 'flexing' }).join(), /0 of 2 oneOf branches fit/);
  });

  it('checks the events of the stream by their names', () => {
    const live = { time_ms: 1, duration_ms: 2, input: 'B.T', contacts: ['A.T', 'B.T'], depth: 1, peak_db: -3, session: 4, count: 1 };
    assert.deepEqual(api.validate(api.eventSchema('flex'), live), []);
    assert.match(api.validate(api.eventSchema('flex'), { ...live, gone: true }).join(), /"gone" is not in the API's description/);
    assert.match(api.validate(api.eventSchema('flex'), { ...live, session: undefined }).join(), /session/);
    assert.deepEqual(api.validate(api.eventSchema('shift'), { shift_start: '2026-11-22T06:00:00Z' }), []);
    assert.equal(api.eventSchema('weather'), null);
  });
});
