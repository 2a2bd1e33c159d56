import type AjvCompiler from '@fastify/ajv-compiler';

type Validate = ReturnType<AjvCompiler.ValidatorCompiler>;

/**
 * Ajv converts the text `Infinity` (or `1e309`) of a query value to a number after its type check, and
 * its `minimum`/`maximum` checks skip non-finite numbers, so `?page=Infinity` passed an integer schema with
 * a maximum and reached SQL as 'Infinity' (a 500). Values that arrive as text are converted, then refused
 * here if any number in them is not finite.
 */
export function refuseNonFiniteNumbers(validate: Validate): Validate {
  // Fastify reads `errors` from the function it called, so the wrapper carries them.
  const checked = Object.assign(
    (data: unknown) => {
      const valid = validate(data);
      checked.errors = validate.errors;
      if (valid !== true) return valid;
      const path = nonFinitePath(data, '');
      if (path === undefined) return true;
      checked.errors = [
        {
          instancePath: path,
          schemaPath: '#',
          keyword: 'type',
          params: {},
          message: 'must be a finite number',
        },
      ];
      return false;
    },
    { schema: validate.schema, schemaEnv: validate.schemaEnv, errors: validate.errors },
  );
  return checked as Validate;
}

/** The JSON-pointer path of the first non-finite number (params and queries are shallow: two levels). */
function nonFinitePath(value: unknown, path: string, depth = 0): string | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? undefined : path;
  if (depth > 2 || value === null || typeof value !== 'object') return undefined;
  for (const [key, inner] of Object.entries(value)) {
    const found = nonFinitePath(inner, `${path}/${key}`, depth + 1);
    if (found !== undefined) return found;
  }
  return undefined;
}
