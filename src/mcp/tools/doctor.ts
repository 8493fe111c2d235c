import {checksJson} from '../../cli/doctor-check.js';
import {runDoctor} from '../../cli/doctor.js';
import {parseStores} from '../../trust/index.js';
import {jsonResult} from '../result.js';
import {defineTool} from '../tool.js';

export const doctor = defineTool({
  name: 'doctor',
  description: "`portico doctor`'s checks (daemon, port, each target, names, CA, clock, trust stores), each ok/warn/fail with its fix.",
  input: {},
  async run(_args, ctx) {
    await ctx.daemon();
    return jsonResult(checksJson(await runDoctor({paths: ctx.paths, selection: parseStores(undefined, process.env)})));
  },
});
