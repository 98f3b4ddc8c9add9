/**
 * Loads a page in headless Chromium and reports what a browser saw: console errors,
 * uncaught exceptions, log errors, every network request, and the value of a script run
 * in the page after load. No dependency: the DevTools protocol is spoken over
 * --remote-debugging-pipe (JSON messages separated by NUL on file descriptors 3 and 4),
 * so no WebSocket client is needed.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { Readable, Writable } from 'node:stream';

export const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';

export interface PageReport {
  consoleErrors: string[];
  exceptions: string[];
  logErrors: string[];
  requests: string[];
  value: unknown;
}

export async function inspectPage(url: string, expression: string, timeoutMs = 45_000): Promise<PageReport> {
  const profile = mkdtempSync(path.join(tmpdir(), 'alliance-chromium-'));
  const child = spawn(
    CHROMIUM,
    [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      '--disable-extensions',
      `--user-data-dir=${profile}`,
      '--remote-debugging-pipe',
      'about:blank',
    ],
    { stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe'] },
  );
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const toBrowser = child.stdio[3] as Writable;
  const fromBrowser = child.stdio[4] as Readable;
  const report: PageReport = { consoleErrors: [], exceptions: [], logErrors: [], requests: [], value: undefined };

  let nextId = 1;
  const pending = new Map<number, { resolve: (v: Record<string, unknown>) => void; reject: (e: Error) => void }>();
  const waiters: { method: string; resolve: () => void }[] = [];
  let buffer = '';
  fromBrowser.on('data', (chunk: Buffer) => {
    buffer += chunk.toString('utf8');
    let end: number;
    while ((end = buffer.indexOf('\0')) >= 0) {
      const msg = JSON.parse(buffer.slice(0, end)) as {
        id?: number;
        method?: string;
        params?: Record<string, any>;
        result?: Record<string, unknown>;
        error?: { message: string };
      };
      buffer = buffer.slice(end + 1);
      if (msg.id !== undefined) {
        const p = pending.get(msg.id);
        pending.delete(msg.id);
        if (msg.error) p?.reject(new Error(msg.error.message));
        else p?.resolve(msg.result ?? {});
        continue;
      }
      const params = msg.params ?? {};
      switch (msg.method) {
        case 'Runtime.consoleAPICalled':
          if (params.type === 'error' || params.type === 'assert')
            report.consoleErrors.push(
              (params.args ?? [])
                .map((a: { value?: string | number | boolean | null; description?: string }) => String(a.value ?? a.description ?? ''))
                .join(' '),
            );
          break;
        case 'Runtime.exceptionThrown':
          report.exceptions.push(String(params.exceptionDetails?.exception?.description ?? params.exceptionDetails?.text ?? 'exception'));
          break;
        case 'Log.entryAdded':
          if (params.entry?.level === 'error') report.logErrors.push(String(params.entry.text));
          break;
        case 'Network.requestWillBeSent':
          report.requests.push(String(params.request?.url));
          break;
      }
      for (let i = waiters.length - 1; i >= 0; i--) {
        if (waiters[i].method === msg.method) {
          waiters[i].resolve();
          waiters.splice(i, 1);
        }
      }
    }
  });
  const send = (method: string, params: Record<string, unknown> = {}, sessionId?: string): Promise<Record<string, any>> =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve, reject });
      toBrowser.write(JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) }) + '\0');
    });
  const event = (method: string) => new Promise<void>((resolve) => waiters.push({ method, resolve }));

  let timer: NodeJS.Timeout | undefined;
  const exited = new Promise<never>((_, reject) => {
    child.on('error', (e) => reject(new Error(`cannot start ${CHROMIUM}: ${e.message}`)));
    child.on('exit', (code) => reject(new Error(`chromium exited early (code ${code}): ${stderr.slice(-500)}`)));
  });
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`chromium did not finish within ${timeoutMs} ms: ${stderr.slice(-500)}`)), timeoutMs);
  });
  const work = (async () => {
    const { targetId } = await send('Target.createTarget', { url: 'about:blank' });
    const { sessionId } = await send('Target.attachToTarget', { targetId, flatten: true });
    await send('Runtime.enable', {}, sessionId);
    await send('Log.enable', {}, sessionId);
    await send('Network.enable', {}, sessionId);
    await send('Page.enable', {}, sessionId);
    const loaded = event('Page.loadEventFired');
    await send('Page.navigate', { url }, sessionId);
    await loaded;
    // Let anything scheduled after load report itself.
    await new Promise((r) => setTimeout(r, 300));
    const res = await send('Runtime.evaluate', { expression, returnByValue: true, awaitPromise: true }, sessionId);
    if (res.exceptionDetails) report.exceptions.push(String(res.exceptionDetails.exception?.description ?? res.exceptionDetails.text));
    report.value = res.result?.value;
    await send('Browser.close').catch(() => undefined);
    return report;
  })();
  try {
    return await Promise.race([work, exited, timeout]);
  } finally {
    clearTimeout(timer);
    child.removeAllListeners('exit');
    if (child.exitCode === null && child.signalCode === null) {
      const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      // Browser.close was sent: give it a moment to exit on its own, then kill it.
      const grace = setTimeout(() => child.kill('SIGKILL'), 3000);
      await gone;
      clearTimeout(grace);
    }
    rmSync(profile, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
  }
}
