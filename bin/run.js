#!/usr/bin/env node
// Entry point for both `portico` and `proxy`. oclif reads package.json#oclif for the commands.
import {execute} from '@oclif/core';

await execute({dir: import.meta.url});
