// Empties dist/ before a package build, so a file whose source was deleted or moved (or the
// benchmark, which is built for `npm run bench` only) can never ship in the tarball.
import {rmSync} from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';

rmSync(path.join(path.dirname(path.dirname(fileURLToPath(import.meta.url))), 'dist'), {recursive: true, force: true});
