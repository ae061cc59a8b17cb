// The station a browser test talks to: the real tonewired on the simulator
// when it is built, else (or with TONEWIRE_BROWSER_STATION=mock) the mock.
import fs from 'node:fs';
import { daemonBinary, startMock } from './lib.mjs';

export { launch, screenshot } from './lib.mjs';

export async function startStation() {
  const want = process.env.TONEWIRE_BROWSER_STATION || 'auto';
  if (want !== 'mock' && fs.existsSync(daemonBinary)) {
    const { startDaemon } = await import('./daemon.mjs');
    return startDaemon();
  }
  if (want === 'daemon') throw new Error(`${daemonBinary} is not built`);
  console.log(`# station: mock (${daemonBinary} not built)`);
  const mock = await startMock();
  mock.select = async (scenario) => {
    await fetch(`${mock.url}api/v1/demo`, { method: 'PUT', body: JSON.stringify({ scenario }) });
  };
  return mock;
}
