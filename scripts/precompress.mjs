// Writes `NAME.gz` (gzip -9) and `NAME.br` (brotli, quality 11) beside every file of the built
// app, so that a static host can send them as they are (nginx `gzip_static` / `brotli_static`,
// or a `Content-Encoding` rule, see the README) instead of compressing on every request.
//
// Trunk runs it after every build (Trunk.toml, hook post_build, on its staging directory); by hand:
//   node scripts/precompress.mjs [DIR]        (default: $TRUNK_STAGING_DIR, else dist)
//
// Prints one line per file: raw, gzip and brotli bytes.

import { readdir, readFile, writeFile, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

const dir = process.argv[2] ?? process.env.TRUNK_STAGING_DIR ?? 'dist';
// What a browser fetches: the page, the script, the styles and the wasm. Already-compressed
// formats (png) gain nothing.
const COMPRESSIBLE = /\.(html|js|mjs|css|wasm|svg|json|txt|map)$/;

async function* files(at) {
  for (const entry of await readdir(at, { withFileTypes: true })) {
    const path = join(at, entry.name);
    if (entry.isDirectory()) yield* files(path);
    else if (COMPRESSIBLE.test(entry.name)) yield path;
  }
}

await stat(dir).catch(() => {
  console.error(`precompress: ${dir} does not exist (build the app first: trunk build --release)`);
  process.exit(1);
});
for await (const path of files(dir)) {
  const body = await readFile(path);
  const gz = gzipSync(body, { level: 9 });
  const br = brotliCompressSync(body, {
    params: {
      [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
      [constants.BROTLI_PARAM_SIZE_HINT]: body.length,
      [constants.BROTLI_PARAM_MODE]: path.endsWith('.wasm') ? constants.BROTLI_MODE_GENERIC : constants.BROTLI_MODE_TEXT,
    },
  });
  await writeFile(`${path}.gz`, gz);
  await writeFile(`${path}.br`, br);
  console.log(`precompressed ${relative(dir, path)}: raw ${body.length} bytes, gzip ${gz.length}, brotli ${br.length}`);
}
