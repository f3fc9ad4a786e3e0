/**
 * Regenerates the Commands and Settings tables of README.md from package.json (between the
 * `<!-- commands-table -->` / `<!-- settings-table -->` markers and the next heading), so the README
 * lists every contribution. `npx tsx scripts/readme-tables.ts` rewrites; `--check` exits 1 when stale.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';

interface Manifest {
  contributes: {
    commands?: Array<{ command: string; title: string; category?: string }>;
    keybindings?: Array<{ command: string; key: string; when?: string }>;
    configuration?: { properties?: Record<string, { type?: string | string[]; default?: unknown; description?: string; markdownDescription?: string; enum?: unknown[] }> };
    menus?: Record<string, Array<{ command: string }>>;
  };
}

const ROOT = path.resolve(__dirname, '..');

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n+/g, ' ');
}

export function commandsTable(manifest: Manifest): string {
  const keys = new Map<string, string[]>();
  for (const binding of manifest.contributes.keybindings ?? []) keys.set(binding.command, [...(keys.get(binding.command) ?? []), binding.key]);
  const hidden = new Set((manifest.contributes.menus?.commandPalette ?? []).filter((m) => 'when' in m && (m as { when?: string }).when === 'false').map((m) => m.command));
  const rows = (manifest.contributes.commands ?? [])
    .filter((c) => !hidden.has(c.command))
    .map((c) => `| ${cell(`${c.category ? `${c.category}: ` : 'BERT Lens: '}${c.title}`)} | \`${c.command}\` | ${keys.get(c.command)?.map((k) => `\`${k}\``).join(', ') ?? ''} |`);
  return ['| Command | Id | Keys |', '|---|---|---|', ...rows].join('\n');
}

export function settingsTable(manifest: Manifest): string {
  const rows = Object.entries(manifest.contributes.configuration?.properties ?? {}).map(([name, p]) => {
    const description = p.markdownDescription ?? p.description ?? '';
    return `| \`${name}\` | \`${JSON.stringify(p.default)}\` | ${cell(description)} |`;
  });
  return ['| Setting | Default | What it does |', '|---|---|---|', ...rows].join('\n');
}

function replaceSection(readme: string, marker: string, content: string): string {
  const start = readme.indexOf(marker);
  if (start < 0) throw new Error(`README.md has no ${marker}`);
  const after = start + marker.length;
  const next = readme.indexOf('\n## ', after);
  return `${readme.slice(0, after)}\n\n${content}\n${next < 0 ? '' : readme.slice(next)}`;
}

export function renderReadme(readme: string, manifest: Manifest): string {
  return replaceSection(replaceSection(readme, '<!-- commands-table -->', commandsTable(manifest)), '<!-- settings-table -->', settingsTable(manifest));
}

if (require.main === module) {
  const manifest = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as Manifest;
  const current = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const rendered = renderReadme(current, manifest);
  if (process.argv.includes('--check')) {
    if (rendered !== current) {
      process.stderr.write('README.md tables are out of date: run npx tsx scripts/readme-tables.ts\n');
      process.exitCode = 1;
    }
  } else writeFileSync(path.join(ROOT, 'README.md'), rendered);
}
