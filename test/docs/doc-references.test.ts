import { readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';

// Every document a comment or a doc refers to (`PROTOCOL.md`, `README.md`, ...) is in the
// repository. A reader sent to a design note that is not here learns nothing; cite the
// standard itself or a doc of the project's own.

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const SKIP = new Set(['node_modules', 'dist', '.git', '.tap', 'coverage']);

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    if (SKIP.has(e.name)) return [];
    const path = join(dir, e.name);
    return e.isDirectory() ? walk(path) : [path];
  });
}

t.test('every .md file named in the sources and docs exists in the repository', async (t) => {
  const files = walk(root);
  const docs = new Set(files.filter((f) => f.endsWith('.md')).map((f) => basename(f)));
  const sources = files.filter((f) => /\.(ts|mts|mjs|js|md|json|sh)$/.test(f) && !f.endsWith('package-lock.json'));
  t.ok(sources.length > 100, `read ${sources.length} files`);
  const missing: string[] = [];
  for (const file of sources) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/\b([A-Za-z][\w-]*\.md)\b/g)) {
      if (!docs.has(m[1]!)) missing.push(`${relative(root, file)}: ${m[1]}`);
    }
  }
  t.same(missing, [], 'no reference to a document the repository does not have');
});
