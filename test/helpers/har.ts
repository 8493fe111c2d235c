import {createRequire} from 'node:module';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';

const require = createRequire(import.meta.url);

/** A validator for HAR 1.2 built from `har-schema` (draft-06 JSON Schemas, one per HAR object). */
export function harValidator(): (data: unknown) => {valid: boolean; errors: string} {
  const schemas = require('har-schema') as Record<string, object>;
  const ajv = new Ajv.default({strict: false, allErrors: true});
  addFormats.default(ajv);
  ajv.addMetaSchema(require('ajv/dist/refs/json-schema-draft-06.json') as object);
  for (const [name, schema] of Object.entries(schemas)) if (name !== 'har') ajv.addSchema(schema);
  const validate = ajv.compile(schemas.har!);
  return (data) => {
    const valid = validate(data) as boolean;
    return {valid, errors: ajv.errorsText(validate.errors)};
  };
}
