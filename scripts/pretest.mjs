// `npm test` as the very first command in a clone (README "The two commands"): the dependencies are
// installed first when they are missing or older than package.json; the test script then builds.
import {fileURLToPath} from 'node:url';
import {setUp} from '../bin/setup.js';

if (!setUp(fileURLToPath(new URL('..', import.meta.url)), ['install'])) process.exit(1);
