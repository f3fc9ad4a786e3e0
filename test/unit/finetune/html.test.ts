import { describe, expect, it } from 'vitest';
import { contentSecurityPolicy, createNonce, panelHtml } from '../../../src/host/finetune/html';

const CSP_SOURCE = 'https://file+.vscode-resource.vscode-cdn.net';

function directives(csp: string): Map<string, string[]> {
  return new Map(csp.split(';').map((d) => d.trim().split(/\s+/)).map(([name, ...values]) => [name!, values]));
}

describe('panel page and its content security policy', () => {
  it('nonces are fresh, base64 of 128 bits', () => {
    const nonces = new Set(Array.from({ length: 200 }, createNonce));
    expect(nonces.size).toBe(200);
    for (const nonce of nonces) {
      expect(nonce).toMatch(/^[A-Za-z0-9+/]{22}==$/);
      expect(Buffer.from(nonce, 'base64')).toHaveLength(16);
    }
  });

  it('allows nothing by default, scripts only by nonce, styles and images from the extension', () => {
    const nonce = createNonce();
    const csp = directives(contentSecurityPolicy(CSP_SOURCE, nonce));
    expect(csp.get('default-src')).toEqual(["'none'"]);
    expect(csp.get('script-src')).toEqual([`'nonce-${nonce}'`]);
    expect(csp.get('style-src')).toEqual([CSP_SOURCE, `'nonce-${nonce}'`]);
    expect(csp.get('img-src')).toEqual([CSP_SOURCE, 'data:']);
    const all = [...csp.values()].flat();
    for (const loose of ["'unsafe-inline'", "'unsafe-eval'", '*', 'https:', 'http:']) expect(all).not.toContain(loose);
  });

  it('the page has one script, with the nonce, and no inline code or handlers', () => {
    const nonce = createNonce();
    const html = panelHtml({ cspSource: CSP_SOURCE, nonce, scriptUri: `${CSP_SOURCE}/ext/dist/webview.js`, styleUri: `${CSP_SOURCE}/ext/media/finetune.css` });
    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts).toHaveLength(1);
    expect(scripts[0]![1]).toContain(`nonce="${nonce}"`);
    expect(scripts[0]![1]).toContain('src="https://file+.vscode-resource.vscode-cdn.net/ext/dist/webview.js"');
    expect(scripts[0]![2]).toBe('');
    expect(html).not.toMatch(/\son[a-z]+\s*=/i);
    expect(html).not.toMatch(/\sstyle\s*=/i);
    expect(html).not.toMatch(/<style/i);
    const meta = /<meta http-equiv="Content-Security-Policy" content="([^"]*)">/.exec(html);
    expect(meta?.[1]).toBe(contentSecurityPolicy(CSP_SOURCE, nonce));
    // The CSP comes before anything that loads.
    expect(html.indexOf('Content-Security-Policy')).toBeLessThan(html.indexOf('<link'));
  });

  it('the panel page and the sidebar status page differ only in their container, with the same CSP', () => {
    const nonce = createNonce();
    const options = { cspSource: CSP_SOURCE, nonce, scriptUri: `${CSP_SOURCE}/ext/dist/webview.js`, styleUri: `${CSP_SOURCE}/ext/media/finetune.css` };
    const full = panelHtml({ ...options, mode: 'panel' });
    const status = panelHtml({ ...options, mode: 'status' });
    expect(panelHtml(options)).toBe(full);
    expect(full).toContain('<main id="app" data-state="loading">');
    expect(status).toContain('<main id="status" data-state="loading">');
    expect(status).not.toContain('id="app"');
    for (const html of [full, status]) expect(/<meta http-equiv="Content-Security-Policy" content="([^"]*)">/.exec(html)?.[1]).toBe(contentSecurityPolicy(CSP_SOURCE, nonce));
  });

  it('escapes URIs into attributes and refuses a weak nonce', () => {
    const html = panelHtml({ cspSource: CSP_SOURCE, nonce: createNonce(), scriptUri: 'x"><script>alert(1)</script>', styleUri: 's' });
    expect(html).not.toContain('<script>alert(1)');
    expect(html).toContain('x&quot;&gt;&lt;script&gt;');
    expect(() => panelHtml({ cspSource: CSP_SOURCE, nonce: 'abc', scriptUri: 'a', styleUri: 'b' })).toThrow(/nonce/);
    expect(() => panelHtml({ cspSource: CSP_SOURCE, nonce: `${createNonce()}' 'unsafe-inline`, scriptUri: 'a', styleUri: 'b' })).toThrow(/nonce/);
  });
});
