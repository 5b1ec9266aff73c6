// The debug page in a real browser (issue 12): Debian's chromium, driven by playwright-core, loads
// the page from a running nursery with children of three owners and a supervised service, finds
// each child's PID under its owner and the service in the Services table, sees a child disappear
// once it exits (the page refreshes itself), and saves a screenshot in the OS tmp dir as the
// test's artifact. With NURSERY_UPDATE_SCREENSHOT=1 it also replaces docs/debug-page.png (the
// README shows it): a test run never changes the tree otherwise.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Nursery } from '../../src/index.js';
import { assertNoLeftovers } from '../helpers/proc.js';

const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));
const skip = CHROMIUM === undefined ? 'no chromium here (apt-get install chromium; .ci/run does it)' : false;
const SHOT = fileURLToPath(new URL('../../../docs/debug-page.png', import.meta.url));

const nursery = new Nursery({ subreaper: true, logger: false });

test('the page shows every child by owner, updates when one exits, and looks right', { skip }, async (t) => {
  const { chromium } = await import('playwright-core');
  const sh = (owner: string, script: string, ...args: string[]) =>
    nursery.spawn({ command: 'sh', args: ['-c', script, owner, ...args], owner });
  const children = [
    sh('web-server', 'sleep 600 & sleep 600 & wait', '--port', '8080'),
    sh('web-server', 'exec sleep 600', '--worker', '2'),
    sh('agent-runner', 'sleep 600 & wait', '--task', 'triage-1234', '--token', 'hidden-in-the-page'),
    sh('agent-runner', 'sleep 600 & wait', '--task', 'review-5678'),
    sh('build', 'sleep 600 & sleep 600 & sleep 600 & wait', 'tsc', '--watch'),
  ];
  // A supervised service: its row in the Services table, its name on its child's row.
  const api = nursery.supervise({ name: 'api', command: 'sleep', args: ['600'], owner: 'web-server' });
  await api.ready;
  const server = await nursery.serveDebug({ port: 0 });
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
  try {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    await page.goto(server.url);
    for (const c of children) {
      const row = page.locator(`tr.child[data-pid="${c.pid}"]`);
      await row.waitFor({ timeout: 30_000 });
      assert.equal(await row.getAttribute('data-owner'), c.owner);
      assert.match((await row.textContent()) ?? '', new RegExp(`^${c.pid}running`));
    }
    for (const owner of ['web-server', 'agent-runner', 'build'])
      assert.equal(await page.locator(`tr.owner[data-owner="${owner}"]`).count(), 1, owner);
    assert.doesNotMatch(await page.content(), /hidden-in-the-page/);
    const service = page.locator('tr.service[data-service="api"]');
    assert.equal(await service.getAttribute('data-state'), 'ready');
    assert.equal(await service.locator('.badge').getAttribute('class'), 'badge s-ok');
    assert.match((await page.locator(`tr.child[data-pid="${api.pid}"]`).textContent()) ?? '', /api/);
    // Every tree drawn (7 sleeps under the shells), for the screenshot.
    await page.waitForFunction('document.querySelectorAll("tr.sub").length >= 7', undefined, { timeout: 30_000 });
    const artifact = join(tmpdir(), 'nursery-debug-page.png');
    await page.screenshot({ path: artifact, fullPage: false });
    if (process.env.NURSERY_UPDATE_SCREENSHOT === '1') copyFileSync(artifact, SHOT);
    t.diagnostic(`screenshot: ${artifact}${process.env.NURSERY_UPDATE_SCREENSHOT === '1' ? ` and ${SHOT}` : ''}`);
    // A child exits: at the next refresh its row is gone.
    const gone = children[1];
    assert.ok(gone);
    await gone.stop();
    await page.locator(`tr.child[data-pid="${gone.pid}"]`).waitFor({ state: 'detached', timeout: 30_000 });
    // The service's child stays: one of the five gone, one more.
    assert.equal(await page.locator('tr.child').count(), children.length);
  } finally {
    await browser.close();
    await server.close();
    await Promise.all([...children.map((c) => c.stop()), api.stop()]);
  }
});

test('the test file leaves no child or zombie behind', async () => {
  await nursery.close();
  await assertNoLeftovers();
});
