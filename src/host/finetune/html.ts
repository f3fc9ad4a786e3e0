import { randomBytes } from 'node:crypto';

/** 128 random bits, base64: a fresh nonce for every page load. */
export function createNonce(): string {
  return randomBytes(16).toString('base64');
}

export interface PanelHtmlOptions {
  /** webview.cspSource: the origin the webview loads local resources from. */
  cspSource: string;
  nonce: string;
  scriptUri: string;
  styleUri: string;
  /** 'panel': the whole fine-tune UI (editor area); 'status': the sidebar's compact status. */
  mode?: 'panel' | 'status';
}

/**
 * The content security policy of the panel: nothing by default; scripts only with the page's nonce
 * (the one bundled script, no inline code, no eval); styles from the extension's media folder (and
 * nonce-tagged ones, for Lit's fallback); images from the extension and data: URIs.
 */
export function contentSecurityPolicy(cspSource: string, nonce: string): string {
  return [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src ${cspSource} 'nonce-${nonce}'`,
    `img-src ${cspSource} data:`,
    `font-src ${cspSource}`,
  ].join('; ');
}

function attribute(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * The page: the CSP, one stylesheet, an empty container, one script. Everything else is built by the
 * script, which reads the container's id: main#app is the full panel, main#status the compact status.
 */
export function panelHtml(options: PanelHtmlOptions): string {
  if (!/^[A-Za-z0-9+/=]{16,}$/.test(options.nonce)) throw new Error('the nonce must be base64 of at least 96 bits');
  const csp = contentSecurityPolicy(options.cspSource, options.nonce);
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${attribute(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${attribute(options.styleUri)}">
<title>${options.mode === 'status' ? 'Fine-tune status' : 'Fine-tune'}</title>
</head>
<body>
<main id="${options.mode === 'status' ? 'status' : 'app'}" data-state="loading">Loading…</main>
<script nonce="${attribute(options.nonce)}" src="${attribute(options.scriptUri)}"></script>
</body>
</html>
`;
}
